// The client-facing schema: the API schema @apollo/gateway builds from a supergraph (no join__/link__
// machinery, no inaccessible elements), printed as SDL. `npm run schema:export` prints it from a file,
// the gateway serves it on GET /graphql/schema.graphql, and `npm run schema:check` diffs two of them.
import { Supergraph } from '@apollo/federation-internals';
import { printSchema, type GraphQLSchema } from 'graphql';
import { prepareSupergraph } from './securityFeatures.js';

/** A supergraph as @apollo/gateway reads it (gateway-enforced SECURITY features accepted). Throws when invalid. */
export function buildSupergraph(supergraphSdl: string): Supergraph {
  return Supergraph.build(prepareSupergraph(supergraphSdl).sdlForGateway);
}

/** The API schema of a supergraph SDL, as @apollo/gateway builds it. Throws on an invalid supergraph. */
export function clientSchemaOf(supergraphSdl: string): GraphQLSchema {
  return clientSchemaOfSupergraph(buildSupergraph(supergraphSdl));
}

/** The API schema of a supergraph already built (buildSupergraph), for a caller that needs the supergraph too. */
export function clientSchemaOfSupergraph(supergraph: Supergraph): GraphQLSchema {
  return supergraph.apiSchema().toGraphQLJSSchema();
}

/** SDL for clients and codegen, newline-terminated. */
export function printClientSchema(schema: GraphQLSchema): string {
  return `${printSchema(schema)}\n`;
}
