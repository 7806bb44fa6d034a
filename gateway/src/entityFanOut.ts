// Identical entity representations in one `_entities` fetch are sent once, and their results fanned back.
//
// @apollo/gateway builds an `_entities` fetch from every occurrence of an entity in the response so far:
// a cyclic selection (user → orders → user …) put 105,000 identical `User:user-1` representations (3.8 MB)
// into ONE fetch, and the subgraph resolved each of them. Apollo Router deduplicates; gateway-js does not.
// Here the representations are deduplicated by their JSON text before the fetch, and the answer is expanded
// back to one entry per original representation, so @apollo/gateway merges exactly what it would have
// received: same response, fewer bytes, less subgraph work.
//
// Each extra copy is a deep copy (not a shared reference): the gateway merges later fetches into these
// objects and rewrites fields in place (e.g. `__typename` for interface objects), so two positions must
// never share one object. The copies are bounded: their bytes count against the per-subgraph and per-
// request response caps (see datasource.ts), as if the subgraph had sent them.
import type { GraphQLFormattedError } from 'graphql';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';

export interface RepresentationPlan {
  /** The distinct representations, in order of first occurrence: what the subgraph receives. */
  readonly unique: readonly unknown[];
  /** For each original representation, its index in `unique`. */
  readonly uniqueIndexOf: readonly number[];
}

/** The plan for these representations; undefined when they are all distinct (the fetch is sent as it is). */
export function planRepresentations(representations: readonly unknown[]): RepresentationPlan | undefined {
  if (representations.length < 2) return undefined;
  const indexByKey = new Map<string, number>();
  const unique: unknown[] = [];
  const uniqueIndexOf: number[] = [];
  for (const representation of representations) {
    // The gateway builds every representation of one fetch from the same `requires` selection, so equal
    // entities serialize to equal text (key order included); unequal text is never merged.
    const key = JSON.stringify(representation);
    let index = indexByKey.get(key);
    if (index === undefined) {
      index = unique.length;
      indexByKey.set(key, index);
      unique.push(representation);
    }
    uniqueIndexOf.push(index);
  }
  return unique.length === representations.length ? undefined : { unique, uniqueIndexOf };
}

/** The fanned-back entities would exceed the bytes the caller allows (checked before any copy is made). */
export class FanOutTooLargeError extends Error {
  override name = 'FanOutTooLargeError';
  constructor(readonly bytes: number) {
    super(`fanning back duplicate entities would add ${bytes} bytes`);
  }
}

export interface FanOutResult {
  response: GatewayGraphQLResponse;
  /** JSON bytes of the copies made (entities and errors), beyond what the subgraph sent. */
  extraBytes: number;
}

/**
 * Expands a deduplicated `_entities` answer to one entry (and one error per entry) per original
 * representation. An answer whose `_entities` does not match the plan is returned as it is: the gateway
 * then reports the length mismatch itself, as it would for any subgraph.
 */
export function fanOutEntities(response: GatewayGraphQLResponse, plan: RepresentationPlan, maxExtraBytes: number): FanOutResult {
  const entities: unknown = response.data?._entities;
  const entitiesMatch = Array.isArray(entities) && entities.length === plan.unique.length;
  const originalsOf = originalIndexes(plan);

  // Measure first: nothing is copied when the copies would not fit.
  const texts = new Map<number, string>();
  let extraBytes = 0;
  if (entitiesMatch) {
    for (const [uniqueIndex, originals] of originalsOf) {
      if (originals.length < 2) continue;
      const text = JSON.stringify(entities[uniqueIndex] ?? null);
      texts.set(uniqueIndex, text);
      extraBytes += Buffer.byteLength(text) * (originals.length - 1);
    }
  }
  const errors = response.errors ?? [];
  for (const error of errors) {
    const uniqueIndex = entityIndexOf(error);
    const copies = uniqueIndex === undefined ? 0 : (originalsOf.get(uniqueIndex)?.length ?? 1) - 1;
    if (copies > 0) extraBytes += Buffer.byteLength(JSON.stringify(error)) * copies;
  }
  if (extraBytes > maxExtraBytes) throw new FanOutTooLargeError(extraBytes);

  const expanded: GatewayGraphQLResponse = { ...response };
  if (entitiesMatch) {
    const seen = new Set<number>();
    expanded.data = {
      ...response.data,
      _entities: plan.uniqueIndexOf.map((uniqueIndex) => {
        if (!seen.has(uniqueIndex)) {
          seen.add(uniqueIndex);
          return entities[uniqueIndex];
        }
        return JSON.parse(texts.get(uniqueIndex)!) as unknown;
      }),
    };
  }
  if (response.errors) {
    expanded.errors = errors.flatMap((error): GraphQLFormattedError[] => {
      const uniqueIndex = entityIndexOf(error);
      const originals = uniqueIndex === undefined ? undefined : originalsOf.get(uniqueIndex);
      if (!originals) return [error];
      return originals.map((original) => ({ ...error, path: ['_entities', original, ...error.path!.slice(2)] }));
    });
  }
  return { response: expanded, extraBytes };
}

/** unique index → the original indexes that map to it, ascending. */
function originalIndexes(plan: RepresentationPlan): Map<number, number[]> {
  const originals = new Map<number, number[]>();
  plan.uniqueIndexOf.forEach((uniqueIndex, original) => {
    const list = originals.get(uniqueIndex);
    if (list) list.push(original);
    else originals.set(uniqueIndex, [original]);
  });
  return originals;
}

/** The entity index of an error at `_entities.<n>…`, else undefined (errors elsewhere are kept once). */
function entityIndexOf(error: GraphQLFormattedError): number | undefined {
  const path = error.path;
  return path && path[0] === '_entities' && typeof path[1] === 'number' ? path[1] : undefined;
}
