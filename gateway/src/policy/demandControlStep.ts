// Pipeline step 2, demand control: the operation's estimated cost, checked before any subgraph is
// called (over maxCost in "enforce" mode: 400 COST_ESTIMATED_TOO_EXPENSIVE with the estimate), and its
// actual cost measured from the response. Both go to the access-log line (`cost`) and to the
// gateway_operation_cost histogram; "measure" mode only observes, so operators can pick maxCost from
// their own traffic before enforcing it.
import type { GraphQLSchema } from 'graphql';
import type { GatewayContext } from '../context.js';
import { gatewayError } from '../errors.js';
import type { GatewayMetrics } from '../metrics.js';
import type { DemandControlConfig } from './demandControlConfig.js';
import type { DemandPolicy } from './demandPolicy.js';
import type { OperationAnalysis } from './operationAnalysis.js';
import { createOperationCostModel } from './operationCost.js';
import type { ResolvedCounts } from './resolvedCounts.js';

export interface DemandControlStepOptions {
  config: DemandControlConfig;
  policyFor: (schema: GraphQLSchema) => DemandPolicy;
  metrics: Pick<GatewayMetrics, 'operationCost' | 'costLimitExceeded'>;
}

export interface DemandControlStep {
  /** The estimated cost; throws COST_ESTIMATED_TOO_EXPENSIVE when it is over maxCost in enforce mode. */
  check(analysis: OperationAnalysis, contextValue: GatewayContext): number;
  /** Records the actual cost of an executed operation. */
  measure(analysis: OperationAnalysis, resolved: ResolvedCounts, contextValue: GatewayContext): number;
}

export function createDemandControlStep(options: DemandControlStepOptions): DemandControlStep | undefined {
  const { config, metrics } = options;
  if (!config.enabled) return undefined;
  const costs = createOperationCostModel(options.policyFor);
  return {
    check(analysis, contextValue) {
      const estimated = costs.estimated(analysis);
      metrics.operationCost.observe({ kind: 'estimated' }, estimated);
      contextValue.requestLog.cost = { estimated };
      if (estimated > config.maxCost) {
        metrics.costLimitExceeded.inc({ mode: config.mode });
        if (config.mode === 'enforce') {
          throw gatewayError('COST_ESTIMATED_TOO_EXPENSIVE', {
            message: `The operation is too expensive: estimated cost ${estimated} is over the limit of ${config.maxCost}.`,
            extensions: { cost: { estimated, max: config.maxCost } },
          });
        }
      }
      return estimated;
    },
    measure(analysis, resolved, contextValue) {
      const actual = costs.actual(analysis, resolved);
      metrics.operationCost.observe({ kind: 'actual' }, actual);
      contextValue.requestLog.cost = { ...contextValue.requestLog.cost, actual };
      return actual;
    },
  };
}
