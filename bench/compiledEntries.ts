// Every process the benchmark starts runs plain compiled JS under `node`, or the startup comparison
// would measure on-the-fly TypeScript compilation instead of the gateways. `npm run bench` builds
// first (`npm run build`, incremental), so gateway/dist and subgraphs/*/dist are the code in the work
// tree; the stock baseline (bench/stockGateway.ts, not part of any workspace build) is transpiled
// here to bench/dist/stockGateway.js, and imports @federation-gateway/identity like the gateway does.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';

export interface CompiledEntries {
  ourGatewayMain: string;
  stockGatewayMain: string;
  /** Compiled entry of a sample subgraph, e.g. subgraphs/users/dist/main.js. */
  subgraphMain(name: string): string;
}

export function prepareCompiledEntries(repoRoot: string): CompiledEntries {
  const ourGatewayMain = join(repoRoot, 'gateway/dist/main.js');
  if (!existsSync(ourGatewayMain)) throw new Error(`${ourGatewayMain} is missing: run \`npm run build\` (npm run bench does)`);

  const source = readFileSync(join(repoRoot, 'bench/stockGateway.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    fileName: 'stockGateway.ts',
  });
  const stockGatewayMain = join(repoRoot, 'bench/dist/stockGateway.js');
  mkdirSync(dirname(stockGatewayMain), { recursive: true });
  writeFileSync(stockGatewayMain, outputText);
  return { ourGatewayMain, stockGatewayMain, subgraphMain: (name) => join(repoRoot, `subgraphs/${name}/dist/main.js`) };
}
