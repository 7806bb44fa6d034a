// `npm run subgraph:new -- NAME [--port N]`: scaffolds subgraphs/NAME/ on the subgraph kit, registers it in
// rover.yaml with a free port, recomposes supergraph.graphql and writes its integration test, so that
// `npm start` and `npm test` pick it up with no other edit. A bad name, a taken name or port, or a graph
// that would not compose: one clear line on stderr, exit 2 (1 for composition), nothing written.
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
// The declarations alone: the package's main entry loads RESTDataSource and graphql (~0.7 CPU-s).
import { declaredRestBackends } from '@federation-gateway/rest-kit/declarations';
import { failCommand, parseCommandLine } from './commandLine.js';
import { RoverConfigError } from './roverConfig.js';
import { ScaffoldError, scaffoldSubgraph } from './subgraphScaffold.js';

const COMMAND = {
  name: 'subgraph:new',
  usage: 'usage: npm run subgraph:new -- NAME [--port N]   (NAME: lower-case words joined by hyphens, e.g. reviews)',
};
// Compiled to scripts/dist/subgraphNew.js: the repo root is two levels up.
const repoRoot = resolve(import.meta.dirname, '..', '..');

/** Ports `npm start` gives to something else: the gateway, and the REST services subgraphs declare. */
function reservedPorts(): Map<number, string> {
  const reserved = new Map<number, string>([[4000, 'the gateway under npm start']]);
  const subgraphNames = readdirSync(resolve(repoRoot, 'subgraphs'));
  for (const backend of declaredRestBackends(resolve(repoRoot, 'subgraphs'), subgraphNames)) {
    reserved.set(backend.port, `the ${backend.service} REST service (subgraphs/${backend.subgraph}/rest-backends.json)`);
  }
  return reserved;
}

function fail(message: string, exitCode: number): never {
  return failCommand(COMMAND, message, exitCode);
}

const parsed = parseCommandLine(COMMAND, { options: { port: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
if (parsed.positionals.length !== 1) fail(`give exactly one subgraph name\n${COMMAND.usage}`, 2);
const name = parsed.positionals[0]!;
const portFlag = parsed.values.port;
if (portFlag !== undefined && !/^\d+$/.test(portFlag)) fail(`--port must be a whole number, got "${portFlag}"`, 2);

try {
  const result = await scaffoldSubgraph({ repoRoot, name, port: portFlag === undefined ? undefined : Number(portFlag), reservedPorts: reservedPorts() });
  process.stdout.write(
    [
      `subgraph:new: created the ${result.name} subgraph on port ${result.port} (and ran npm install to record its workspace package):`,
      ...result.written.map((path) => `  ${path}`),
      '',
      'Next:',
      `  npm start                 runs it with the rest (http://localhost:${result.port}/graphql behind the gateway)`,
      `  npm test                  runs its test (${result.written.find((path) => path.endsWith('.test.ts')) ?? 'test/'}) with the others`,
      `  edit subgraphs/${result.name}/schema.graphql and src/, then: npm run schema:check && npm run compose`,
      '',
    ].join('\n'),
  );
} catch (error) {
  if (error instanceof ScaffoldError || error instanceof RoverConfigError) {
    fail(`${error.message}\nnothing was written`, error.message.includes('does not compose') ? 1 : 2);
  }
  throw error;
}
