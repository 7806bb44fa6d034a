// The deep benchmark's four subgraphs (accounts, inventory, products, reviews: the public
// graphql-gateways-benchmark shape) in ONE process, on one port, at POST /<name>. Each is a real
// Federation 2 subgraph built by @apollo/subgraph from its SDL file (bench/deep/schemas), with _entities,
// @requires and @provides resolved by graphql-js execution.
//
// Fast on purpose: the gateway is what the benchmark measures, and on a shared 2-core box every CPU-ms
// the subgraphs spend is taken from the gateway under test (the public benchmark runs Rust subgraphs
// that answer in microseconds, on their own machine). So each distinct request body is executed once
// and its serialized answer kept (bounded, by path + body): the data is static, so the answer is the
// one graphql-js produced, byte for byte, and both gateways hit the same memo. Request headers (the
// client JWT stock forwards, the identity our gateway signs) are not read: these are the public
// benchmark's subgraphs, which trust their caller.
//
// GET /stats answers the number of requests each subgraph received, so the bench can report the
// subgraph fetches one gateway request causes.
//
// Usage: node bench/dist/deep/deepSubgraphs.js --schemas bench/deep/schemas --port 0
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { DEEP_RESOLVERS as RESOLVERS } from './deepResolvers.js';

const { values } = parseArgs({
  options: { schemas: { type: 'string' }, port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' } },
  strict: true,
});
if (!values.schemas) {
  process.stderr.write('deepSubgraphs: --schemas DIR is required\n');
  process.exit(2);
}
const schemaDir = values.schemas;

interface BenchSubgraph {
  schema: GraphQLSchema;
  /** Parsed and validated documents by query text. */
  documents: Map<string, DocumentNode>;
  requests: number;
}

const subgraphs = new Map<string, BenchSubgraph>(
  Object.entries(RESOLVERS).map(([name, resolvers]) => {
    const typeDefs = parse(readFileSync(join(schemaDir, `${name}.graphql`), 'utf8'));
    return [name, { schema: buildSubgraphSchema([{ typeDefs, resolvers }]), documents: new Map(), requests: 0 }];
  }),
);

/** 10 000 answers: far above the distinct fetches of the bench queries, a bound against anything else. */
const MAX_MEMOIZED_ANSWERS = 10_000;
const answers = new Map<string, string>();

async function answer(subgraph: BenchSubgraph, body: string): Promise<string> {
  const request = JSON.parse(body) as { query?: unknown; variables?: Record<string, unknown>; operationName?: string };
  if (typeof request.query !== 'string') return JSON.stringify({ errors: [{ message: 'query must be a string' }] });
  let document = subgraph.documents.get(request.query);
  if (!document) {
    document = parse(request.query);
    const errors = validate(subgraph.schema, document);
    if (errors.length > 0) return JSON.stringify({ errors });
    subgraph.documents.set(request.query, document);
  }
  const result = await execute({
    schema: subgraph.schema,
    document,
    variableValues: request.variables ?? null,
    operationName: request.operationName ?? null,
    contextValue: {},
  });
  return JSON.stringify(result);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const name = (req.url ?? '/').slice(1);
  if (req.method === 'GET' && name === 'stats') {
    send(res, 200, JSON.stringify(Object.fromEntries([...subgraphs].map(([key, subgraph]) => [key, subgraph.requests]))));
    return;
  }
  const subgraph = subgraphs.get(name);
  if (!subgraph || req.method !== 'POST') {
    send(res, 404, JSON.stringify({ errors: [{ message: `no subgraph at ${req.method} ${req.url}` }] }));
    return;
  }
  subgraph.requests += 1;
  const body = await readBody(req);
  const key = `${name}\n${body}`;
  let text = answers.get(key);
  if (text === undefined) {
    text = await answer(subgraph, body);
    if (answers.size >= MAX_MEMOIZED_ANSWERS) answers.delete(answers.keys().next().value!);
    answers.set(key, text);
  }
  send(res, 200, text);
}

const server = createServer((req, res) => {
  handle(req, res).catch((error: unknown) => send(res, 500, JSON.stringify({ errors: [{ message: (error as Error).message }] })));
});
// Longer than any gap between a gateway's slices (ours drops idle sockets after 4 s; stock's @npmcli/agent
// never does), so the server never closes a pooled socket as a gateway reuses it (at 10 s stock saw
// "socket hang up").
server.keepAliveTimeout = 65_000;
server.listen(Number(values.port), values.host, () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), msg: 'listening', url: `http://${values.host}:${port}` })}\n`);
});

const shutdown = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
