// Every process the benchmark starts runs plain compiled JS under `node`, or the startup comparison
// would measure on-the-fly TypeScript compilation instead of the gateways. `npm run bench` builds
// first (`npm run build`, incremental), so gateway/dist and subgraphs/*/dist are the code in the work
// tree; the bench's own server processes (the stock baseline, the deep scenario's subgraphs), which are
// not part of any workspace build, are transpiled here into bench/dist/ (same relative paths).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';

export interface CompiledEntries {
  ourGatewayMain: string;
  /** The node flags `npm run gateway` runs our gateway with (read from the root package.json). */
  ourGatewayNodeFlags: string[];
  stockGatewayMain: string;
  /** Compiled entry of a sample subgraph, e.g. subgraphs/users/dist/main.js. */
  subgraphMain(name: string): string;
  /** The deep scenario's four benchmark subgraphs, one process. */
  deepSubgraphsMain: string;
}

/** Bench sources that run as (or inside) a spawned process, relative to bench/. */
const PROCESS_SOURCES = ['stockGateway.ts', 'deep/deepSubgraphs.ts', 'deep/deepResolvers.ts', 'deep/deepSubgraphData.ts'];

export function prepareCompiledEntries(repoRoot: string): CompiledEntries {
  const ourGatewayMain = join(repoRoot, 'gateway/dist/main.js');
  if (!existsSync(ourGatewayMain)) throw new Error(`${ourGatewayMain} is missing: run \`npm run build\` (npm run bench does)`);

  for (const relative of PROCESS_SOURCES) {
    const { outputText } = ts.transpileModule(readFileSync(join(repoRoot, 'bench', relative), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: relative,
    });
    const output = join(repoRoot, 'bench/dist', relative.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(output), { recursive: true });
    writeFileSync(output, outputText);
  }
  return {
    ourGatewayMain,
    ourGatewayNodeFlags: gatewayNodeFlags(repoRoot),
    stockGatewayMain: join(repoRoot, 'bench/dist/stockGateway.js'),
    subgraphMain: (name) => join(repoRoot, `subgraphs/${name}/dist/main.js`),
    deepSubgraphsMain: join(repoRoot, 'bench/dist/deep/deepSubgraphs.js'),
  };
}

/** The flags between `node` and the entry point in the root package.json's `gateway` script: our gateway runs as users run it. */
function gatewayNodeFlags(repoRoot: string): string[] {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const words = (pkg.scripts?.gateway ?? '').trim().split(/\s+/);
  const entry = words.indexOf('gateway/dist/main.js');
  if (words[0] !== 'node' || entry < 0) throw new Error(`package.json "gateway" script is not "node [flags] gateway/dist/main.js": ${pkg.scripts?.gateway}`);
  return words.slice(1, entry);
}
