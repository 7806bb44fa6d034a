// @ts-check
// Bundles every process entry point into its dist/main.js (run by `npm run build` after `tsc -b`, by the
// test runner's setup, and for the gateway by deploy/Dockerfile): the gateway, the sample subgraphs, the
// REST services and the slow-subgraph test fixture; and the dev tools the package.json scripts run, each
// into its scripts/dist/NAME.js (compose, start, token, ...; the scripts that build first bundle theirs, so
// that they never run a bundle older than tsc's output). A process then reads, resolves and compiles one file
// instead of ~500 at startup (bench/RESULTS.md, "Startup": the gateway reaches its first answer on less
// CPU than stock @apollo/gateway; a subgraph starts on ~0.6× the CPU, which the test suite's ~190 process
// starts feel).
//
// usage: node scripts/bundleEntries.mjs [NAME]   (no argument: every entry; `gateway`: the gateway only;
//        `scripts/compose`: that script only)
//
// Everything else in each dist/ (what `tsc -b` emitted) stays: packages' `exports`, the tests and the
// fixtures import those modules. If only `tsc -b` ran after a change to a src/main.ts, that dist/main.js
// is tsc's unbundled entry again: the same program, slower to start. Each entry is a no-op when its
// dist/main.js is a bundle newer than every file it was built from (esbuild's list, kept under
// node_modules/.cache/bundle-entries/).
//
// The gateway keeps some packages outside (GATEWAY_EXTERNAL), loaded from node_modules as before (same
// file, same instance), each `require()`d at the place its `import` was, in the original order, never
// hoisted: plainFederationExports.ts and deferredApolloTelemetry.ts must run before @apollo/gateway loads,
// and an ES module bundle's `import` statements of external packages would all run before any of the
// bundle's own code. The same keeps the lazy parts lazy: a module behind a dynamic `import()` (server.js,
// the OTel tracing SDK, the response cache plugin, the cluster primary) is wrapped by esbuild and evaluated
// only when that `import()` runs, and the externals it requires load only then
// (test/integration/gateway/bundledEntry.test.ts). The subgraphs and services have no such tricks: all of
// their packages are in the bundle (one graphql instance, the one in the bundle).
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const thisScript = fileURLToPath(import.meta.url);
/** Second line of a bundle (after the hashbang): how a bundle is told from tsc's unbundled main.js. */
export const BUNDLE_MARKER = '// bundled by scripts/bundleEntries.mjs';

/**
 * Packages the gateway loads from node_modules at run time. graphql: one instance per process (its
 * classes are checked with instanceof by @apollo/* too). @apollo/*: plainFederationExports.ts replaces
 * entries of the CommonJS module cache, which a bundled copy would not be in. @opentelemetry/*: the
 * deferred Apollo telemetry modules live in the same cache; the tracing SDK loads only when tracing is on.
 * ioredis: loaded only when Redis is configured (redis/redisConnection.ts, by createRequire).
 */
const GATEWAY_EXTERNAL = /^(graphql|@apollo\/[^/]+|@opentelemetry\/[^/]+|ioredis)(\/|$)/;

/**
 * The scripts' entries stay external to their bundle: typescript (~9 MB, loaded by the Dockerfile rehearsal's
 * build cache only when it runs) is required from node_modules as before.
 */
const SCRIPTS_EXTERNAL = /^typescript(\/|$)/;

/** @typedef {{ name: string; source: string; outfile: string; external?: RegExp }} Entry */

/** @returns {Entry[]} */
function entries() {
  const processEntry = (/** @type {string} */ dir, /** @type {RegExp | undefined} */ external) => ({ name: dir, source: `${dir}/src/main.ts`, outfile: `${dir}/dist/main.js`, external });
  /** @type {Entry[]} */
  const found = [processEntry('gateway', GATEWAY_EXTERNAL)];
  for (const parent of ['subgraphs', 'services']) {
    for (const name of readdirSync(join(repoRoot, parent)).sort()) {
      if (existsSync(join(repoRoot, parent, name, 'src/main.ts'))) found.push(processEntry(`${parent}/${name}`, undefined));
    }
  }
  // Not in deploy/Dockerfile's build context (test/ is left out), which bundles the gateway only.
  if (existsSync(join(repoRoot, 'test/fixtures/slow-subgraph/src/main.ts'))) found.push(processEntry('test/fixtures/slow-subgraph', undefined));
  // The dev tools the package.json scripts run (`node scripts/dist/NAME.js`: npm start, compose, token, ...), which the
  // tests run too (~20 starts a run): bundled, `compose` starts on ~0.6 CPU-s instead of ~1.1 (it loads
  // @apollo/composition through Node's ES module loader otherwise, file by file).
  const scripts = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).scripts ?? {};
  const scriptNames = new Set([...Object.values(scripts).join('\n').matchAll(/\bnode (?:[^&|;\n]* )?scripts\/dist\/(\w+)\.js\b/g)].map((match) => match[1]));
  for (const name of [...scriptNames].sort()) {
    if (existsSync(join(repoRoot, 'scripts/src', `${name}.ts`))) found.push({ name: `scripts/${name}`, source: `scripts/src/${name}.ts`, outfile: `scripts/dist/${name}.js`, external: SCRIPTS_EXTERNAL });
  }
  return found;
}

const inputsFileOf = (/** @type {Entry} */ entry) => join(repoRoot, 'node_modules/.cache/bundle-entries', `${entry.name.replaceAll('/', '+')}.json`);

/** True when dist/main.js is a bundle newer than every input of its last build and than this script. */
export function isFresh(/** @type {string} */ outfile, /** @type {string} */ inputsFile) {
  if (!existsSync(outfile) || !existsSync(inputsFile)) return false;
  const head = Buffer.alloc(256);
  const fd = openSync(outfile, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  // The marker is the first line, or the second after a hashbang.
  if (!`\n${head.toString('utf8')}`.includes(`\n${BUNDLE_MARKER}\n`)) return false;
  const builtAt = statSync(outfile).mtimeMs;
  const inputs = /** @type {string[]} */ (JSON.parse(readFileSync(inputsFile, 'utf8')));
  return [...inputs.map((path) => join(repoRoot, path)), thisScript].every((path) => existsSync(path) && statSync(path).mtimeMs <= builtAt);
}

/** The export names of a CommonJS module, read by loading it in this (build) process. */
function exportNames(/** @type {string} */ path) {
  const moduleExports = createRequire(thisScript)(path);
  return Object.keys(moduleExports).filter((name) => name !== 'default' && name !== '__esModule' && /^[A-Za-z_$][\w$]*$/.test(name));
}

/**
 * Packages matching `external` are required by name, where their import was (see the top of this file).
 * @returns {import('esbuild').Plugin}
 */
function requireExternalsInPlace(/** @type {RegExp} */ external, /** @type {string} */ entryFile, /** @type {string} */ outfile) {
  return {
    name: 'require-externals-in-place',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === 'resolve-as-import') return undefined;
        if (isBuiltin(args.path)) return { path: args.path, external: true };
        if (!external.test(args.path)) return undefined;
        // Required at run time by name, from dist/main.js: the bundle holds no absolute path, so the repository
        // (or the image's /app) can be anywhere. Refused when that finds another copy than the importing
        // file would (a nested version): the bundle must load exactly what the unbundled modules load.
        const path = createRequire(args.importer || entryFile).resolve(args.path);
        const fromBundle = createRequire(outfile).resolve(args.path);
        if (fromBundle !== path) {
          return { errors: [{ text: `${args.path} from ${args.importer} is ${path}, but from ${outfile} it is ${fromBundle}: give scripts/bundleEntries.mjs a rule for it` }] };
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
        const names = exportNames(resolved);
        const lines = [
          `const required = __bundleRequire(${JSON.stringify(args.path)});`,
          dual ? 'export default required.__esModule ? required.default : required;' : 'export default required;',
        ];
        if (names.length > 0) lines.push(`export const { ${names.join(', ')} } = required;`);
        return { contents: lines.join('\n'), loader: 'js', resolveDir: dirname(resolved) };
      });
    },
  };
}

/**
 * zod's `locales` namespace with English only, in every bundle. zod's entry points re-export all of its ~60
 * locales (`z.locales`, `z.core.locales`; ~400 kB of the gateway's 1.9 MB bundle, read, decoded and compiled by
 * every start: ~30 CPU-ms of the gateway's, measured with `--help` starts side by side, 12 each, 2026-12-02).
 * No code here uses another locale: zod registers English as its default from its schemas
 * (classic/schemas.js imports locales/en.js itself), and English stays in `z.locales.en`. A `z.locales.xx`
 * other than `en` would be undefined in a bundle (not in tsx runs); test/integration/gateway/bundledEntry.test.ts
 * checks the gateway bundle holds no other locale and still answers a config error in English.
 * @returns {import('esbuild').Plugin}
 */
function zodEnglishOnly() {
  return {
    name: 'zod-english-only',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
        if (!/[\\/]zod[\\/]v4[\\/](classic|core|mini)[\\/][^\\/]+\.js$/.test(args.importer)) return undefined;
        return { path: join(dirname(args.importer), '../locales/index.js'), namespace: 'zod-english-only' };
      });
      pluginBuild.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({
        contents: `export { default as en } from ${JSON.stringify(join(dirname(args.path), 'en.js'))};`,
        loader: 'js',
        resolveDir: dirname(args.path),
      }));
    },
  };
}

async function bundle(/** @type {Entry} */ entry, /** @type {typeof import('esbuild').build} */ build) {
  const entryFile = join(repoRoot, entry.source);
  const outfile = join(repoRoot, entry.outfile);
  const inputsFile = inputsFileOf(entry);
  const startedAt = Date.now();
  const result = await build({
    entryPoints: [entryFile],
    outfile,
    // The metafile's input paths are relative to this.
    absWorkingDir: repoRoot,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Source maps for stack traces when node runs with --enable-source-maps (they cost nothing otherwise).
    sourcemap: 'linked',
    // Bundled CommonJS libraries `require()` Node's built-ins (and the gateway's externals): esbuild's
    // require shim needs a real `require` in an ES module.
    banner: {
      js: [
        BUNDLE_MARKER,
        "import { createRequire as __bundleCreateRequire } from 'node:module';",
        'const __bundleRequire = __bundleCreateRequire(import.meta.url);',
        'const require = __bundleRequire;',
      ].join('\n'),
    },
    plugins: [...(entry.external ? [requireExternalsInPlace(entry.external, entryFile, outfile)] : []), zodEnglishOnly()],
    metafile: true,
    logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs)
    .filter((path) => !path.includes(':'))
    .map((path) => relative(repoRoot, resolve(repoRoot, path)));
  mkdirSync(dirname(inputsFile), { recursive: true });
  writeFileSync(inputsFile, JSON.stringify(inputs));
  process.stdout.write(`build: ${entry.outfile} bundled from ${inputs.length} files in ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);
}

/**
 * Bundles every entry (or the one named `only`) whose bundle is not fresh. esbuild is loaded only then, and
 * its service process is stopped after (the test runner calls this in-process, and counts every process
 * left running at its end as leaked).
 */
export async function bundleStaleEntries(/** @type {string | undefined} */ only) {
  const selected = entries().filter((entry) => only === undefined || entry.name === only);
  if (selected.length === 0) throw new Error(`no entry named ${only} (${entries().map((entry) => entry.name).join(', ')})`);
  const stale = selected.filter((entry) => !isFresh(join(repoRoot, entry.outfile), inputsFileOf(entry)));
  if (stale.length === 0) return;
  const esbuild = await import('esbuild');
  try {
    // esbuild runs them in parallel in its own process; this one mostly waits.
    await Promise.all(stale.map((entry) => bundle(entry, esbuild.build)));
  } finally {
    await esbuild.stop();
  }
}

if (process.argv[1] === thisScript) await bundleStaleEntries(process.argv[2]);
