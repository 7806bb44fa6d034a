// `npm run schema:check [-- --allow-breaking] [--config rover.yaml] [--base supergraph.graphql]`:
// composes the subgraphs in rover.yaml as they are in the working tree and compares the client-facing
// (API) schema with the committed supergraph's. Breaking changes exit 1 with a report naming each
// coordinate and the subgraph file that caused it, unless --allow-breaking says the break is intended;
// dangerous and safe changes are listed. `npm test` runs it; `npm run compose` runs the same gate.
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { failCommand, parseCommandLine } from './commandLine.js';
import { composeSupergraph } from './composeSupergraph.js';
import { loadRoverConfig, RoverConfigError } from './roverConfig.js';
import { ALLOW_BREAKING_HINT, findSchemaChanges, formatSchemaChanges } from './schemaChanges.js';

const COMMAND = {
  name: 'schema:check',
  usage: 'usage: npm run schema:check [-- --allow-breaking] [--config rover.yaml] [--base supergraph.graphql]',
};
function fail(message: string, exitCode: number): never {
  return failCommand(COMMAND, message, exitCode);
}

const { values: flags } = parseCommandLine(COMMAND, {
  options: {
    'allow-breaking': { type: 'boolean', default: false },
    config: { type: 'string' },
    base: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
const configPath = resolve(flags.config ?? resolve(import.meta.dirname, '../..', 'rover.yaml'));
const basePath = resolve(flags.base ?? resolve(dirname(configPath), 'supergraph.graphql'));
const shown = (path: string) => relative(process.cwd(), path) || path;

let config;
try {
  config = loadRoverConfig(configPath);
} catch (error) {
  if (error instanceof RoverConfigError) fail(error.message, 2);
  throw error;
}
let baseSdl: string;
try {
  baseSdl = readFileSync(basePath, 'utf8');
} catch (error) {
  fail(`cannot read the committed supergraph ${shown(basePath)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 2);
}
const outcome = composeSupergraph(config);
if (!outcome.ok) {
  fail(`the subgraphs in ${shown(configPath)} do not compose (${outcome.problems.length} error(s)):\n\n${outcome.problems.map((p) => `  ✗ ${p}`).join('\n\n')}\n`, 1);
}

const changes = await findSchemaChanges(baseSdl, outcome.supergraphSdl, config);
process.stdout.write(`schema:check: the client-facing schema composed from ${shown(configPath)} against ${shown(basePath)}\n\n${formatSchemaChanges(changes)}\n\n`);
const breaking = changes.filter((change) => change.level === 'breaking').length;
if (breaking === 0) {
  process.stdout.write('schema:check: no breaking change\n');
} else if (flags['allow-breaking']) {
  process.stdout.write(`schema:check: ${breaking} breaking change(s) accepted by --allow-breaking\n`);
} else {
  fail(`${breaking} breaking change(s). ${ALLOW_BREAKING_HINT}`, 1);
}
