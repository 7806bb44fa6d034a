// Demand-control cost of an operation, estimated from the analysis before execution and measured
// from the response after it, with the same rules (Apollo's demand control and the IBM GraphQL cost
// spec): each object a field returns weighs 1 and each scalar or enum 0, unless `@cost(weight:)` on
// the field (or else on its type) says otherwise; list fields multiply by their size; a weighted
// argument adds its weight per call when given; a mutation adds 10. Introspection is left out: no
// subgraph serves it (its depth is the analysis' introspectionDepth).
import { getNamedType, type GraphQLSchema } from 'graphql';
import type { DemandPolicy } from './demandPolicy.js';
import type { AnalyzedField, OperationAnalysis } from './operationAnalysis.js';
import type { ResolvedCounts } from './resolvedCounts.js';

/** Base cost of a mutation operation (Apollo's demand control uses 10). */
export const MUTATION_BASE_COST = 10;

export interface OperationCostModel {
  estimated(analysis: OperationAnalysis): number;
  actual(analysis: OperationAnalysis, resolved: ResolvedCounts): number;
}

export function createOperationCostModel(policyFor: (schema: GraphQLSchema) => DemandPolicy): OperationCostModel {
  // Weights per analyzed field: the tree is cached per operation, so is this.
  const weights = new WeakMap<AnalyzedField, { perItem: number; perCall: number }>();
  const weightsOf = (analysis: OperationAnalysis, field: AnalyzedField) => {
    let found = weights.get(field);
    if (!found) {
      const policy = policyFor(analysis.shape.schema);
      const declared = field.coordinates.map((c) => policy.weight(c)).filter((w): w is number => w !== undefined);
      const perItem = declared.length > 0 ? Math.max(...declared) : (policy.weight(getNamedType(field.fieldDef.type).name) ?? (field.composite ? 1 : 0));
      let perCall = 0;
      for (const coordinate of field.coordinates) {
        const byArgument = policy.argumentWeights(coordinate);
        if (!byArgument) continue;
        // Given in the document (a variable counts as given): graphql-js passes it to the resolver.
        const given = new Set(field.nodes.flatMap((node) => (node.arguments ?? []).map((a) => a.name.value)));
        let sum = 0;
        for (const [name, weight] of byArgument) if (given.has(name)) sum += weight;
        perCall = Math.max(perCall, sum);
      }
      found = { perItem, perCall };
      weights.set(field, found);
    }
    return found;
  };
  const base = (analysis: OperationAnalysis) => (analysis.operationType === 'mutation' ? MUTATION_BASE_COST : 0);
  return {
    estimated(analysis) {
      let cost = base(analysis);
      for (const field of analysis.fields) {
        if (field.introspection) continue;
        const { perItem, perCall } = weightsOf(analysis, field);
        cost += perItem * field.calls * field.itemsPerCall + perCall * field.calls;
      }
      return Math.min(cost, Number.MAX_SAFE_INTEGER);
    },
    actual(analysis, resolved) {
      let cost = base(analysis);
      for (const field of analysis.fields) {
        if (field.introspection) continue;
        const count = resolved.get(field);
        if (!count) continue;
        const { perItem, perCall } = weightsOf(analysis, field);
        cost += perItem * (field.listDepth > 0 ? count.items : count.calls) + perCall * count.calls;
      }
      return cost;
    },
  };
}
