// The data plumbing between a plan's fetches, as @apollo/gateway's executeQueryPlan does it
// (dist/executeQueryPlan.js flattenResultsAtPath, executeSelectionSet; dist/utilities/deepMerge.js), with
// the same results in the same key order, minus per-call garbage: stock's flattenResultsAtPath destructures
// `[current, ...rest]` (a new array per path element per entity) and was 2.1 % self time of the gateway's
// busy time on the deep bench query; its `@requires` representation builder looked every inline fragment's
// type condition up in the schema per entity. Here: an index into the path, and type-condition answers
// cached per schema; asserts as `if (!cond) throw` (no closure per call).
import type { FetchDataRewrite, QueryPlanSelectionNode, ResponsePath, ConditionNode } from '@apollo/query-planner';
import type { GraphQLSchema } from 'graphql';
import { emptyRecord } from './emptyRecord.js';

/** @apollo/gateway's own helpers, reused unchanged (loaded from its dist by installPlanExecution.ts). */
export interface StockInternals {
  applyRewrites(schema: GraphQLSchema, rewrites: FetchDataRewrite[] | undefined, value: unknown): void;
  isObjectOfType(schema: GraphQLSchema, obj: Record<string, unknown>, typeCondition: string, defaultOnUnknownObjectType?: boolean): boolean;
  generateHydratedPaths(parent: ResponsePath, path: ResponsePath, data: unknown, result: ResponsePath[]): void;
  evaluateCondition(condition: ConditionNode, variables: unknown, values: Record<string, unknown> | undefined): boolean;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** flattenResultsAtPath(value, path.slice(from)) of executeQueryPlan.js. */
export function flattenResultsAtPath(value: unknown, path: ResponsePath, from: number): unknown {
  if (from >= path.length) return value;
  if (value === undefined || value === null) return value;
  const current = path[from];
  if (current === '@') {
    // Array.prototype.flatMap's one level: an element whose rest is an array contributes its elements.
    const flattened: unknown[] = [];
    for (const element of value as unknown[]) {
      const inner = flattenResultsAtPath(element, path, from + 1);
      if (Array.isArray(inner)) for (const item of inner) flattened.push(item);
      else flattened.push(inner);
    }
    return flattened;
  }
  if (!(typeof current === 'string')) throw new Error(`Unexpected ${typeof current} found in path`);
  if (Array.isArray(value)) throw new Error(`Unexpected array in result for path element ${current}`);
  const object = value as Record<string, unknown>;
  return flattenResultsAtPath(hasOwn.call(object, current) ? object[current] : undefined, path, from + 1);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== undefined && value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** utilities/deepMerge.js: `source` into `target`, in place; arrays of the same length merge element-wise. */
export function deepMerge(target: unknown, source: unknown): unknown {
  if (source === undefined || source === null) return target;
  const into = target as Record<string, unknown>;
  const from = source as Record<string, unknown>;
  const keys = Object.keys(from);
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    const sourceValue = from[key];
    if (sourceValue === undefined) continue;
    // defineOwn: an inherited name (e.g. `constructor` on a JSON object) becomes an own property first.
    if (!hasOwn.call(into, key) && key in into) {
      Object.defineProperty(into, key, { configurable: true, enumerable: true, value: undefined, writable: true });
    }
    const targetValue = into[key];
    if (targetValue && isObject(sourceValue)) {
      deepMerge(targetValue, sourceValue);
    } else if (Array.isArray(sourceValue) && Array.isArray(targetValue) && sourceValue.length === targetValue.length) {
      for (let i = 0; i < sourceValue.length; i++) {
        const sourceElement: unknown = sourceValue[i];
        const targetElement: unknown = targetValue[i];
        if (isObject(targetElement) && isObject(sourceElement)) deepMerge(targetElement, sourceElement);
        else targetValue[i] = sourceElement;
      }
    } else {
      into[key] = sourceValue;
    }
  }
  return target;
}

// isObjectOfType answers by schema, type condition and __typename (nested maps: no key string per call):
// the supergraph schema of a plan never changes, and a plan only names a handful of types. Only names the
// schema defines are remembered: `__typename` comes from a subgraph's answer, and a misbehaving subgraph
// inventing a new name per answer must not grow this map for the life of the schema.
const typeAnswers = new WeakMap<GraphQLSchema, Map<string, Map<string, boolean>>>();

function isOfType(schema: GraphQLSchema, source: Record<string, unknown>, typeCondition: string, internals: StockInternals): boolean {
  const typename = source.__typename;
  if (!typename || typeof typename !== 'string' || !schema.getType(typename)) return internals.isObjectOfType(schema, source, typeCondition);
  let byCondition = typeAnswers.get(schema);
  if (!byCondition) typeAnswers.set(schema, (byCondition = new Map()));
  let byTypename = byCondition.get(typeCondition);
  if (!byTypename) byCondition.set(typeCondition, (byTypename = new Map()));
  let answer = byTypename.get(typename);
  if (answer === undefined) byTypename.set(typename, (answer = internals.isObjectOfType(schema, source, typeCondition)));
  return answer;
}

/** executeSelectionSet of executeQueryPlan.js: an entity's `@requires` representation, or null when a field is missing. */
export function representationOf(
  schema: GraphQLSchema,
  source: unknown,
  selections: QueryPlanSelectionNode[],
  internals: StockInternals,
): Record<string, unknown> | null {
  if (source === null) return null;
  const object = source as Record<string, unknown>;
  const result = emptyRecord();
  for (const selection of selections) {
    if (selection.kind === 'Field') {
      const responseName = selection.alias ? selection.alias : selection.name;
      const sub = selection.selections;
      if (!hasOwn.call(object, responseName) || typeof object[responseName] === 'undefined') return null;
      const value = object[responseName];
      if (Array.isArray(value)) {
        result[responseName] = value.map((element: unknown) => (sub ? representationOf(schema, element, sub, internals) : element));
      } else if (sub) {
        result[responseName] = representationOf(schema, value, sub, internals);
      } else {
        result[responseName] = value;
      }
    } else if (selection.kind === 'InlineFragment') {
      if (!selection.typeCondition || !object) continue;
      if (isOfType(schema, object, selection.typeCondition, internals)) deepMerge(result, representationOf(schema, object, selection.selections, internals));
    }
  }
  return result;
}
