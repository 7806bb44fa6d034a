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
  // Computed per use, not cached per field: a few map lookups cost less than keeping a WeakMap entry
  // (an ephemeron the GC must trace) for every field of every operation ever analyzed.
  const weightsOf = (analysis: OperationAnalysis, field: AnalyzedField) => {
    const policy = policyFor(analysis.shape.schema);
    let declared: number | undefined;
    for (const coordinate of field.coordinates) {
      const weight = policy.weight(coordinate);
      if (weight !== undefined) declared = Math.max(declared ?? 0, weight);
    }
    const perItem = declared ?? policy.weight(getNamedType(field.fieldDef.type).name) ?? (field.composite ? 1 : 0);
    let perCall = 0;
    for (const coordinate of field.coordinates) {
      const byArgument = policy.argumentWeights(coordinate);
      if (!byArgument) continue;
      // Given in the document (a variable counts as given): graphql-js passes it to the resolver.
      let sum = 0;
      for (const [name, weight] of byArgument) if (field.nodes.some((node) => node.arguments?.some((a) => a.name.value === name))) sum += weight;
      perCall = Math.max(perCall, sum);
    }
    return { perItem, perCall };
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
