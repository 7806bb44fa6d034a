// @ts-check
// Bundles the gateway's entry point into gateway/dist/main.js (run by `npm run build` after `tsc -b`, by the
// test runner's setup, and by deploy/Dockerfile): the gateway's own modules, @federation-gateway/identity and
// the small libraries it uses (zod, yaml, jose, prom-client, pino, opossum, graphql-armor, ...) in one file,
// so that startup reads, resolves and compiles one file instead of ~500 (bench/RESULTS.md, "Startup").
//
// What stays outside, loaded from node_modules exactly as before (same absolute file, same instance):
// graphql, @apollo/*, @opentelemetry/*, ioredis (see EXTERNAL). Each is `require()`d at the place its
// `import` was, in the original order, never hoisted. That order matters: plainFederationExports.ts and
// deferredApolloTelemetry.ts must run before @apollo/gateway loads, and an ESM bundle's `import`
// statements of external packages would all run before any of the bundle's own code. The same keeps the
// lazy parts lazy: a module behind a dynamic `import()` (server.js, the OTel tracing SDK, the response
// cache plugin, the cluster primary) is wrapped by esbuild and evaluated only when that `import()` runs,
// and the externals it requires load only then.
//
// Everything else in gateway/dist (what `tsc -b` emitted) stays: the package's `exports` (dev-signing-key,
// client-schema, policy, ...) and the test fixtures import those modules. If only `tsc -b` ran after a
// change to src/main.ts, dist/main.js is tsc's unbundled entry again: the same program, slower to start.
// A no-op when dist/main.js is a bundle newer than every file it was built from.
import { existsSync, mkdirSync, openSync, readFileSync, readSync, closeSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const gatewayDir = dirname(fileURLToPath(import.meta.url));
const entry = join(gatewayDir, 'src/main.ts');
const outfile = join(gatewayDir, 'dist/main.js');
/** Inputs of the last bundle (esbuild's metafile), for the up-to-date check; git-ignored under node_modules. */
const inputsFile = join(gatewayDir, '../node_modules/.cache/gateway-bundle/inputs.json');
/** First line of a bundle: how a bundle is told from tsc's unbundled main.js. */
const MARKER = '// gateway/dist/main.js bundled by gateway/bundleMain.mjs';

/**
 * Packages loaded from node_modules at run time. graphql: one instance per process (its classes are
 * checked with instanceof by everything that uses it). @apollo/*: plainFederationExports.ts replaces
 * entries of the CommonJS module cache, which a bundled copy would not be in. @opentelemetry/*: the
 * deferred Apollo telemetry modules live in the same cache; the tracing SDK is loaded only when tracing is
 * on. ioredis: loaded only when Redis is configured (redis/redisConnection.ts).
 */
const EXTERNAL = /^(graphql|@apollo\/[^/]+|@opentelemetry\/[^/]+|ioredis)(\/|$)/;

function isFresh() {
  if (!existsSync(outfile) || !existsSync(inputsFile)) return false;
  // The marker is on the line after main.ts's hashbang.
  const head = Buffer.alloc(256);
  const fd = openSync(outfile, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (!head.toString('utf8').includes(`\n${MARKER}\n`)) return false;
  const builtAt = statSync(outfile).mtimeMs;
  const inputs = /** @type {string[]} */ (JSON.parse(readFileSync(inputsFile, 'utf8')));
  return inputs.every((path) => existsSync(path) && statSync(path).mtimeMs <= builtAt) && statSync(fileURLToPath(import.meta.url)).mtimeMs <= builtAt;
}

/** The export names of a CommonJS module, read by loading it in this (build) process. */
function exportNames(/** @type {NodeJS.Require} */ nodeRequire, /** @type {string} */ path) {
  const moduleExports = nodeRequire(path);
  return Object.keys(moduleExports).filter((name) => name !== 'default' && name !== '__esModule' && /^[A-Za-z_$][\w$]*$/.test(name));
}

/** @type {import('esbuild').Plugin} */
const requireExternalsInPlace = {
  name: 'require-externals-in-place',
  setup(pluginBuild) {
    const buildRequire = createRequire(import.meta.url);
    pluginBuild.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === 'resolve-as-import') return undefined;
      if (isBuiltin(args.path)) return { path: args.path, external: true };
      if (!EXTERNAL.test(args.path)) return undefined;
      // Required at run time by name, from dist/main.js: the bundle holds no absolute path, so the repository
      // (or the image's /app) can be anywhere. Refused when that finds another copy than the importing
      // file would (a nested version): the bundle must load exactly what the unbundled modules load.
      const path = createRequire(args.importer || entry).resolve(args.path);
      const fromBundle = createRequire(outfile).resolve(args.path);
      if (fromBundle !== path) {
        return { errors: [{ text: `${args.path} from ${args.importer} is ${path}, but from gateway/dist/main.js it is ${fromBundle}: add a resolution rule to gateway/bundleMain.mjs` }] };
      }
      // A CommonJS module in the bundle requiring an external: esbuild's `require` (the banner's) at that place.
      if (args.kind === 'require-call') return { path: args.path, external: true };
      // A package with an ES module build for `import` (e.g. @apollo/server): the code was written against
      // that build, whose default export is the CommonJS build's `exports.default`; for a CommonJS-only
      // package (graphql, @apollo/gateway) Node's default export is `module.exports`.
      const asImport = await pluginBuild.resolve(args.path, { kind: 'import-statement', resolveDir: args.resolveDir, pluginData: 'resolve-as-import' });
      return { path: args.path, namespace: 'required-external', pluginData: { resolved: path, dual: asImport.path !== path } };
    });
    // An ES module standing for the external: requires it where the import was, exports what it exports.
    pluginBuild.onLoad({ filter: /.*/, namespace: 'required-external' }, (args) => {
      const { resolved, dual } = /** @type {{ resolved: string; dual: boolean }} */ (args.pluginData);
      const names = exportNames(buildRequire, resolved);
      const lines = [
        `const required = __gatewayRequire(${JSON.stringify(args.path)});`,
        dual ? 'export default required.__esModule ? required.default : required;' : 'export default required;',
      ];
      if (names.length > 0) lines.push(`export const { ${names.join(', ')} } = required;`);
      return { contents: lines.join('\n'), loader: 'js', resolveDir: dirname(resolved) };
    });
  },
};

if (isFresh()) process.exit(0);
const startedAt = Date.now();
const result = await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Source maps for stack traces when node runs with --enable-source-maps (they cost nothing otherwise).
  sourcemap: 'linked',
  // Bundled CommonJS libraries `require()` Node's built-ins and the externals: esbuild's require shim
  // needs a real `require` in an ES module.
  banner: {
    js: [
      MARKER,
      "import { createRequire as __gatewayCreateRequire } from 'node:module';",
      'const __gatewayRequire = __gatewayCreateRequire(import.meta.url);',
      'const require = __gatewayRequire;',
    ].join('\n'),
  },
  plugins: [requireExternalsInPlace],
  metafile: true,
  logLevel: 'warning',
});
mkdirSync(dirname(inputsFile), { recursive: true });
const inputs = Object.keys(result.metafile.inputs)
  .filter((path) => !path.startsWith('required-external:'))
  .map((path) => join(process.cwd(), path));
writeFileSync(inputsFile, JSON.stringify(inputs));
process.stdout.write(`build: gateway/dist/main.js bundled from ${inputs.length} files in ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);
