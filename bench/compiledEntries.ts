// Both gateways must run as plain compiled JS under `node`, or the startup comparison would measure
// tsx's on-the-fly compilation instead of the gateways. Ours comes from `npm run build`
// (dist/gateway/src/main.js); the stock baseline (bench/stockGateway.ts) is transpiled here to
// dist/bench/stockGateway.js, next to the built kit it imports (dist/subgraphs/kit/src/).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';

export interface CompiledEntries {
  ourGatewayMain: string;
  stockGatewayMain: string;
  /** True when this run had to (re)build dist because it was missing or older than the sources. */
  rebuilt: boolean;
}

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtimeMs(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

export function prepareCompiledEntries(repoRoot: string): CompiledEntries {
  const ourGatewayMain = join(repoRoot, 'dist/gateway/src/main.js');
  const sourcesMtimeMs = Math.max(newestMtimeMs(join(repoRoot, 'gateway/src')), newestMtimeMs(join(repoRoot, 'subgraphs/kit/src')));
  // A stale dist would benchmark old code: rebuild when any source is newer than the compiled entry.
  const rebuilt = !existsSync(ourGatewayMain) || statSync(ourGatewayMain).mtimeMs < sourcesMtimeMs;
  if (rebuilt) {
    process.stderr.write('bench: dist/ is missing or older than gateway/src or subgraphs/kit/src: running npm run build\n');
    // 180 s: a full tsc build on a busy 2-core box; beyond that something is wrong.
    execFileSync('npm', ['run', '-s', 'build'], { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'], timeout: 180_000 });
  }

  const source = readFileSync(join(repoRoot, 'bench/stockGateway.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    fileName: 'stockGateway.ts',
  });
  const stockGatewayMain = join(repoRoot, 'dist/bench/stockGateway.js');
  mkdirSync(dirname(stockGatewayMain), { recursive: true });
  writeFileSync(stockGatewayMain, outputText);
  return { ourGatewayMain, stockGatewayMain, rebuilt };
}
