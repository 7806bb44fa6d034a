// Puts the compiled plan executor (planExecution.ts) in place of @apollo/gateway's executeQueryPlan, once,
// before the first request. ApolloGateway's executor calls `executeQueryPlan_1.executeQueryPlan(...)`, i.e.
// it reads the export of its dist/executeQueryPlan.js module object on every request, and that export is a
// plain writable property: replacing it there is the only hook (the executor is a closure made in the
// constructor, and there is no option for it). The original stays reachable for the fallback cases.
//
// Why a replacement at all, and what it keeps: planExecution.ts. Turned off with
// GATEWAY_STOCK_PLAN_EXECUTION=1 in the environment (the documented escape hatch if an answer ever differs).
import { createRequire } from 'node:module';
import { createPlanExecutor, type ExecuteQueryPlan } from './planExecution.js';
import type { StockInternals } from './resultMerging.js';

const gatewayRequire = createRequire(createRequire(import.meta.url).resolve('@apollo/gateway'));
const plannerRequire = createRequire(gatewayRequire.resolve('@apollo/query-planner'));

interface ExecuteQueryPlanModule {
  executeQueryPlan: ExecuteQueryPlan;
  generateHydratedPaths: StockInternals['generateHydratedPaths'];
}

let installed: ReturnType<typeof createPlanExecutor> | undefined;
/** @apollo/gateway's executeQueryPlan as loaded, captured before anything replaces it. */
let original: ExecuteQueryPlan | undefined;

/** @apollo/gateway's executeQueryPlan module and the helpers the compiled executor reuses. */
export function stockExecution(): { module: ExecuteQueryPlanModule; stock: ExecuteQueryPlan; internals: StockInternals } {
  const module = gatewayRequire('./executeQueryPlan.js') as ExecuteQueryPlanModule;
  const rewrites = gatewayRequire('./dataRewrites.js') as Pick<StockInternals, 'applyRewrites' | 'isObjectOfType'>;
  const conditions = plannerRequire('./conditions.js') as Pick<StockInternals, 'evaluateCondition'>;
  original ??= module.executeQueryPlan;
  return {
    module,
    stock: original,
    internals: {
      applyRewrites: rewrites.applyRewrites,
      isObjectOfType: rewrites.isObjectOfType,
      generateHydratedPaths: module.generateHydratedPaths,
      evaluateCondition: conditions.evaluateCondition,
    },
  };
}

/** Installs the compiled executor (idempotent); returns it (its counters), or undefined when turned off. */
export function installPlanExecution(env: NodeJS.ProcessEnv = process.env): ReturnType<typeof createPlanExecutor> | undefined {
  if (env.GATEWAY_STOCK_PLAN_EXECUTION === '1') return undefined;
  if (installed) return installed;
  const { module, stock, internals } = stockExecution();
  const executor = createPlanExecutor(stock, internals);
  module.executeQueryPlan = executor;
  installed = executor;
  return executor;
}
