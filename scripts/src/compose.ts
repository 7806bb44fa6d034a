// `npm run compose`: composes the subgraphs in rover.yaml into supergraph.graphql. It refuses to write a
// supergraph that breaks clients (see schemaChanges.ts) unless --allow-breaking says the break is intended.
// `npm run compose:check` (--check): exits 1 when composition fails or the committed file is stale, so CI
// catches a subgraph change that breaks the graph or was never composed.
// Flags: --config FILE (default rover.yaml at the repo root), --out FILE (default supergraph.graphql next to it).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommandLine } from './commandLine.js';
import { composeSupergraph } from './composeSupergraph.js';
import { checkFederationVersion, loadRoverConfig, RoverConfigError } from './roverConfig.js';
import { ALLOW_BREAKING_HINT, findSchemaChanges, formatSchemaChanges } from './schemaChanges.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const COMMAND = { name: 'compose', usage: 'usage: compose [--check] [--allow-breaking] [--config rover.yaml] [--out supergraph.graphql]' };

function fail(message: string, exitCode: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(exitCode);
}

/** The first line where two texts differ, for a drift message a reviewer can act on. */
function firstDifference(expected: string, actual: string): string {
  const expectedLines = expected.split('\n');
  const actualLines = actual.split('\n');
  for (let index = 0; index < Math.max(expectedLines.length, actualLines.length); index += 1) {
    if (expectedLines[index] !== actualLines[index]) {
      return `first difference at line ${index + 1}:\n    committed: ${JSON.stringify(actualLines[index] ?? '(end of file)')}\n    composed:  ${JSON.stringify(expectedLines[index] ?? '(end of file)')}`;
    }
  }
  return 'files differ';
}

const { values: flags } = parseCommandLine(COMMAND, {
  options: {
    check: { type: 'boolean', default: false },
    'allow-breaking': { type: 'boolean', default: false },
    config: { type: 'string' },
    out: { type: 'string' },
  },
});
const configPath = flags.config ? resolve(flags.config) : resolve(repoRoot, 'rover.yaml');
const outPath = flags.out ? resolve(flags.out) : resolve(dirname(configPath), 'supergraph.graphql');
const shown = (path: string) => {
  const fromCwd = relative(process.cwd(), path);
  return fromCwd === '' || fromCwd.startsWith('..') ? path : fromCwd;
};

let config;
try {
  config = loadRoverConfig(configPath);
  checkFederationVersion(config, shown(configPath));
} catch (error) {
  if (error instanceof RoverConfigError) fail(`compose: ${error.message}`, 2);
  throw error;
}

const outcome = composeSupergraph(config);
if (!outcome.ok) {
  fail(
    `compose: composition of ${shown(configPath)} failed with ${outcome.problems.length} error(s):\n\n` +
      `${outcome.problems.map((problem) => `  ✗ ${problem}`).join('\n\n')}\n`,
    1,
  );
}
for (const hint of outcome.hints) process.stderr.write(`compose: hint: ${hint}\n`);

if (flags.check) {
  let committed: string;
  try {
    committed = readFileSync(outPath, 'utf8');
  } catch {
    fail(`compose:check: ${shown(outPath)} is missing: run \`npm run compose\` and commit it`, 1);
  }
  if (committed !== outcome.supergraphSdl) {
    fail(
      `compose:check: ${shown(outPath)} is stale (it differs from composing ${shown(configPath)}): ` +
        `run \`npm run compose\` and commit the result.\n  ${firstDifference(outcome.supergraphSdl, committed)}`,
      1,
    );
  }
  process.stdout.write(`compose:check: ${shown(outPath)} is up to date with ${shown(configPath)} (${config.subgraphs.length} subgraphs)\n`);
} else {
  // The supergraph being replaced is what clients use today: refuse to break them silently.
  const previous = existsSync(outPath) ? readFileSync(outPath, 'utf8') : undefined;
  if (previous !== undefined && previous !== outcome.supergraphSdl) {
    let changes;
    try {
      changes = await findSchemaChanges(previous, outcome.supergraphSdl, config);
    } catch (error) {
      // An unreadable previous file has no clients to protect; composing replaces it.
      process.stderr.write(`compose: could not compare with the previous ${shown(outPath)} (${(error as Error).message.split('\n')[0]}); replacing it\n`);
    }
    const breaking = changes?.filter((change) => change.level === 'breaking') ?? [];
    if (changes && changes.length > 0) process.stdout.write(`${formatSchemaChanges(changes)}\n\n`);
    if (breaking.length > 0 && !flags['allow-breaking']) {
      fail(`compose: ${shown(outPath)} left unchanged: ${breaking.length} breaking change(s). ${ALLOW_BREAKING_HINT}`, 1);
    }
  }
  writeFileSync(outPath, outcome.supergraphSdl);
  process.stdout.write(`compose: wrote ${shown(outPath)} from ${config.subgraphs.map((s) => s.name).join(', ')}\n`);
}
