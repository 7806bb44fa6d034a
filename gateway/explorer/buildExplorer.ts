// Bundles the local GraphiQL explorer (gateway/explorer/browser/graphiqlApp.ts: GraphiQL 5, React and
// Monaco, all from node_modules) and Monaco's three web workers into gateway/dist/explorer-assets/, which the gateway
// serves on /graphiql/assets/. Runs in `npm run build` (so `npm install` / `npm ci` produce it).
// Bundled rather than served from node_modules: GraphiQL 5 ships ESM with bare imports and CSS imports
// that browsers cannot load, and its documented setups fetch from esm.sh, which offline users cannot reach.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { build } from 'esbuild';
import { explorerAssetsDir } from '../src/explorer/explorerAssets.js';

const require = createRequire(import.meta.url);
const outdir = explorerAssetsDir();
const startedAt = Date.now();
rmSync(outdir, { recursive: true, force: true });

await build({
  entryPoints: {
    graphiql: new URL('./browser/graphiqlApp.ts', import.meta.url).pathname,
    'editor.worker': require.resolve('monaco-editor/esm/vs/editor/editor.worker.js'),
    'json.worker': require.resolve('monaco-editor/esm/vs/language/json/json.worker.js'),
    'graphql.worker': require.resolve('monaco-graphql/esm/graphql.worker.js'),
  },
  outdir,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022'],
  minify: true,
  legalComments: 'linked',
  define: { 'process.env.NODE_ENV': '"production"' },
  // Monaco's icon font; referenced from the CSS, emitted next to it.
  loader: { '.ttf': 'file' },
  assetNames: '[name]-[hash]',
  // Only loaded for subscriptions over WebSocket (a subscriptionUrl), which the gateway does not serve.
  external: ['graphql-ws'],
  logLevel: 'warning',
});
// Gzipped once here, at the highest level, rather than by every gateway at startup or per request.
for (const name of readdirSync(outdir)) {
  if (!/\.(js|css|txt)$/.test(name)) continue;
  writeFileSync(join(outdir, `${name}.gz`), gzipSync(readFileSync(join(outdir, name)), { level: constants.Z_BEST_COMPRESSION }));
}
process.stderr.write(`build: GraphiQL explorer bundled into ${outdir} in ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);
