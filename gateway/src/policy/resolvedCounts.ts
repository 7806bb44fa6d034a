// What execution really did, read back from the response: per analyzed field, how many times it
// resolved (parent objects whose response carries its key) and how many non-null items it returned.
// One walk of the response along the analysis tree, touching only selected keys. Used to reconcile
// rate-limit charges and to measure the actual cost.
//
// Without __typename in the response the runtime type of an object is unknown, so a field selected
// in `... on A` counts on every object carrying its response key: at most an over-count, which
// reconciliation treats as "gave back less", never as "charged more". Introspection is not walked.
import type { AnalyzedField } from './operationAnalysis.js';

export interface ResolvedCount {
  /** Parent objects whose response holds this field: resolver calls that ran. */
  calls: number;
  /** Non-null values returned (list elements counted one by one, all list levels flattened). */
  items: number;
}

export type ResolvedCounts = ReadonlyMap<AnalyzedField, ResolvedCount>;

export function countResolved(rootFields: readonly AnalyzedField[], data: unknown): ResolvedCounts {
  const counts = new Map<AnalyzedField, ResolvedCount>();
  if (data === null || typeof data !== 'object') return counts;
  const walk = (fields: readonly AnalyzedField[], parents: readonly Record<string, unknown>[]) => {
    for (const field of fields) {
      // Schema metadata: no policy charges or costs it, and a Sandbox introspection answer is large.
      if (field.introspection) continue;
      const count = counts.get(field) ?? { calls: 0, items: 0 };
      counts.set(field, count);
      const childParents: Record<string, unknown>[] = [];
      const collectChildren = field.children.length > 0;
      for (const parent of parents) {
        const value = parent[field.responseKey];
        if (value === undefined) continue;
        count.calls++;
        count.items += countItems(value, field.listDepth, collectChildren ? childParents : undefined);
      }
      if (childParents.length > 0) walk(field.children, childParents);
    }
  };
  walk(rootFields, [data as Record<string, unknown>]);
  return counts;
}

function countItems(value: unknown, listDepth: number, objects: Record<string, unknown>[] | undefined): number {
  if (value === null || value === undefined) return 0;
  if (listDepth > 0 && Array.isArray(value)) {
    let items = 0;
    for (const element of value) items += countItems(element, listDepth - 1, objects);
    return items;
  }
  if (objects && typeof value === 'object') objects.push(value as Record<string, unknown>);
  return 1;
}
