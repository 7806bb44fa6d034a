// The benchmark's baseline: STOCK @apollo/gateway + @apollo/server's startStandaloneServer, with nothing
// of ours in the request path except what the sample subgraphs' contract demands.
//
// Two additions, both what any stock deployment of our sample graph needs:
// 1. The supergraph's `for: SECURITY` links are dropped, or stock refuses to load it (see below).
// 2. Our subgraphs refuse any request without a signed `x-gateway-identity` (HTTP 401), and with
//    `--insecure-allow-unsigned` they treat every caller as anonymous, which makes `User.orders` empty.
//    Neither compares the same work, so with `--identity` this baseline signs ONE fixed identity per
//    subgraph fetch (HS256, with the identity package's signGatewayIdentity over the body sent, as our
//    gateway does).
// For the deep scenario's benchmark subgraphs (which trust their caller) it instead forwards the client's
// own headers (`--forward-header authorization`), the usual stock setup.
// No client authentication, authorization, rate limits, metrics, access logs or fetch timeouts.
// Subgraph fetches use RemoteGraphQLDataSource's default fetcher (make-fetch-happen), as stock does.
//
// Usage: node bench/dist/stockGateway.js --supergraph FILE --port 0 [--subgraph users=URL ...]
//          [--identity '{"subject":"user-1","scopes":["orders:read:all"],...}']   (env INTERNAL_IDENTITY_SECRET)
//          [--forward-header authorization ...]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { GATEWAY_IDENTITY_HEADER, signGatewayIdentity, type ForwardedIdentity } from '@federation-gateway/identity';

const { values } = parseArgs({
  options: {
    supergraph: { type: 'string' },
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    subgraph: { type: 'string', multiple: true, default: [] },
    identity: { type: 'string' },
    'forward-header': { type: 'string', multiple: true, default: [] },
  },
  strict: true,
});
const secret = process.env.INTERNAL_IDENTITY_SECRET;
if (!values.supergraph || (values.identity && !secret)) {
  process.stderr.write('stockGateway: --supergraph is required, and --identity needs env INTERNAL_IDENTITY_SECRET\n');
  process.exit(2);
}
const signing = values.identity ? { secret: secret!, identity: JSON.parse(values.identity) as ForwardedIdentity } : undefined;
const forwardedHeaders = values['forward-header'].map((name) => name.toLowerCase());
const urlOverrides = new Map(values.subgraph.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));

interface StockContext {
  /** The client's headers named by --forward-header. */
  forwarded: [string, string][];
}

class StockDataSource extends RemoteGraphQLDataSource<StockContext> {
  constructor(subgraphName: string, url: string) {
    super({ url });
    if (!signing) return;
    // Signed per fetch over the exact body sent (the subgraphs check bodySha256), as our gateway does: only
    // the fetcher sees the serialized body. The default fetcher (make-fetch-happen) stays underneath.
    const stockFetcher = this.fetcher;
    this.fetcher = async (fetchUrl, init = {}) => {
      const token = await signGatewayIdentity({ secret: signing.secret, audience: subgraphName, identity: signing.identity, requestId: 'stock-gateway', body: init.body ?? '' });
      return stockFetcher(fetchUrl, { ...init, headers: { ...init.headers, [GATEWAY_IDENTITY_HEADER]: token } });
    };
  }

  override willSendRequest(options: GraphQLDataSourceProcessOptions<StockContext>): void {
    const headers = options.request.http!.headers;
    if ('context' in options && options.context.forwarded) for (const [name, value] of options.context.forwarded) headers.set(name, value);
  }
}

// Stock @apollo/gateway refuses a supergraph linking authenticated/requiresScopes `for: SECURITY`
// (UNSUPPORTED_LINKED_FEATURE), and ours carries both. Dropping `for: SECURITY` lets it load and makes
// it ignore those directives (stock enforces no authorization); the benchmark queries touch none of them.
const SECURITY_LINK = /(@link\(url: "https:\/\/specs\.apollo\.dev\/(?:authenticated|requiresScopes)\/v[0-9.]+"), for: SECURITY\)/g;
const supergraphSdl = readFileSync(values.supergraph, 'utf8').replace(SECURITY_LINK, '$1)');

const gateway = new ApolloGateway({
  supergraphSdl,
  buildService: ({ name, url }) => new StockDataSource(name, urlOverrides.get(name) ?? url ?? ''),
});
// Our own SIGTERM handler below, so the process exits 0 after draining like every server here.
const server = new ApolloServer<StockContext>({ gateway, stopOnTerminationSignals: false });
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(values.port), host: values.host },
  context: async ({ req }) => ({
    forwarded: forwardedHeaders.flatMap((name) => {
      const value = req.headers[name];
      return typeof value === 'string' ? [[name, value] as [string, string]] : [];
    }),
  }),
});
// The same `listening` line as every server of this repo, so the bench finds the port the same way.
process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), msg: 'listening', url })}\n`);

const shutdown = () => {
  server.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
