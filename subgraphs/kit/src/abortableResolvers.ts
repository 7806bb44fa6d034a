// Stops resolving once the gateway has given up on a request. The kit aborts `context.signal` when the
// request's connection closes before the answer is sent (the gateway's fetch deadline passed, or its client
// went away): from then on every resolver of the subgraph's map throws instead of running, so a request that
// fans out to thousands of entities or nested lists winds down in microseconds instead of finishing work
// nobody will read. Resolvers already running see the same signal (REST calls and DataLoaders pass it on).
// Only the subgraph's own resolver functions are wrapped (fields, __resolveReference); default property
// resolvers, __resolveType and custom scalars are cheap and stay as they are.
import type { GraphQLFieldResolver } from 'graphql';

type Resolver = GraphQLFieldResolver<unknown, { signal?: AbortSignal }>;
/** @apollo/subgraph calls it as (reference, context, info): the context is the second argument. */
type ReferenceResolver = (reference: unknown, context: { signal?: AbortSignal }, info: unknown) => unknown;

function abortable(resolve: Resolver): Resolver {
  return (source, args, context, info) => {
    context.signal?.throwIfAborted();
    return resolve(source, args, context, info);
  };
}

function abortableReference(resolve: ReferenceResolver): ReferenceResolver {
  return (reference, context, info) => {
    context.signal?.throwIfAborted();
    return resolve(reference, context, info);
  };
}

/** A copy of `resolvers` whose field resolvers and __resolveReference check `context.signal` first. */
export function withAbortChecks<T extends object>(resolvers: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [typeName, typeResolvers] of Object.entries(resolvers)) {
    // Custom scalars are GraphQLScalarType instances, not plain maps of resolvers.
    if (typeResolvers === null || typeof typeResolvers !== 'object' || Object.getPrototypeOf(typeResolvers) !== Object.prototype) {
      wrapped[typeName] = typeResolvers;
      continue;
    }
    const fields: Record<string, unknown> = {};
    for (const [fieldName, resolver] of Object.entries(typeResolvers as Record<string, unknown>)) {
      if (fieldName === '__resolveReference' && typeof resolver === 'function') {
        fields[fieldName] = abortableReference(resolver as ReferenceResolver);
        continue;
      }
      const wraps = !fieldName.startsWith('__');
      if (wraps && typeof resolver === 'function') fields[fieldName] = abortable(resolver as Resolver);
      else if (wraps && resolver !== null && typeof resolver === 'object' && typeof (resolver as { resolve?: unknown }).resolve === 'function') {
        fields[fieldName] = { ...resolver, resolve: abortable((resolver as { resolve: Resolver }).resolve) };
      } else fields[fieldName] = resolver;
    }
    wrapped[typeName] = fields;
  }
  return wrapped as T;
}
