// Hands @apollo/gateway the Supergraph that validateSupergraphSdl already built and validated, instead
// of letting it parse and build the same SDL a second time.
//
// Why: every load (startup and each hot reload) built the supergraph twice: once here, validated, so a
// bad file never reaches @apollo/gateway (supergraphFile.ts), and once inside @apollo/gateway
// (createSchemaFromSupergraphSdl: parse, build, core-feature checks, subgraph list). The second build
// was ~50 ms of a ~1.3 s startup on the sample supergraph (bench/RESULTS.md, startup), and grows with
// the supergraph.
//
// How: createSchemaFromSupergraphSdl is a private method of ApolloGateway (2.14); this replaces it on
// the one instance we create. For an SDL we prepared, it returns our Supergraph after registering the
// subgraphs' datasources exactly as the original does; for any other SDL, or if a future version no
// longer has these methods, the original runs (built twice: slower, same behaviour).
import type { ApolloGateway } from '@apollo/gateway';
import type { Supergraph } from '@apollo/federation-internals';

interface SchemaFromSdl {
  supergraph: Supergraph;
  supergraphSdl: string;
}
interface GatewayInternals {
  createSchemaFromSupergraphSdl?: (supergraphSdl: string) => SchemaFromSdl;
  createServices?: (services: ReturnType<Supergraph['subgraphsMetadata']>) => void;
}

/** Makes `gateway` use prebuilt(sdl) when there is one; returns whether the hook is in place. */
export function buildSupergraphOnce(gateway: ApolloGateway, prebuilt: (supergraphSdl: string) => Supergraph | undefined): boolean {
  const internals = gateway as unknown as GatewayInternals;
  const original = internals.createSchemaFromSupergraphSdl;
  const createServices = internals.createServices;
  if (typeof original !== 'function' || typeof createServices !== 'function') return false;
  internals.createSchemaFromSupergraphSdl = (supergraphSdl) => {
    const supergraph = prebuilt(supergraphSdl);
    if (!supergraph) return original.call(gateway, supergraphSdl);
    createServices.call(gateway, supergraph.subgraphsMetadata());
    return { supergraph, supergraphSdl };
  };
  return true;
}
