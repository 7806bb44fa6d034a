// The Dockerfile rehearsal's build cache (`dockerfileRehearsal --reuse-checkout-build`, what its test
// uses): a RUN step whose inputs in the stage are byte-identical to this checkout's, and whose result this
// checkout already has, is taken from the checkout instead of being run again. Docker's layer cache does
// the same, keyed on the whole previous layer; this one is keyed on exactly what each step reads, so a
// step whose input the build context lacks (a .dockerignore rule too wide, a workspace left out) misses
// and runs for real, and fails as `docker build` would.
// Three steps qualify (the three the suite has just done in the checkout itself):
//   `npm ci` with dev dependencies: reads package-lock.json, .npmrc and every workspace's package.json;
//      the checkout's `npm ci` succeeded on the same files. Its node_modules is only made when a later
//      step that runs for real needs it: a later `npm ci` replaces node_modules whole, so in our
//      Dockerfile it never is.
//   `npx tsc -b PROJECT`: reads the sources and declaration files listed in the project's .tsbuildinfo
//      (and its references'), each with its sha256 there, plus the tsconfig files; the checkout's dist
//      folders were built from exactly those (no errors recorded), and are copied in as the step's result.
//      Which .tsbuildinfo, outDir and references a tsconfig names is TypeScript's to say; its answers are
//      kept (PROJECTS_MEMO) while those tsconfig files stay the same, so a warm rehearsal does not load it.
//   `node scripts/bundleEntries.mjs gateway`: reads the files esbuild listed for the checkout's last bundle
//      of the gateway (those under node_modules come from the same lockfile) and the script itself; the
//      checkout's gateway/dist/main.js is that bundle when it is newer than all of them, and is copied in.
// Anything else, and every step when the flag is off, runs for real.
import { cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

export type CacheDecision =
  | { hit: true; reason: string; /** Puts the step's result into the stage. */ apply: () => void; /** Its result is a node_modules made only when needed. */ makesNodeModules?: boolean }
  | { hit: false; reason: string };

const sameFile = (a: string, b: string): boolean => existsSync(a) && existsSync(b) && readFileSync(a).equals(readFileSync(b));
const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path, 'utf8')).digest('hex');

/** `npm ci` (any flags but --omit): hit when every file npm ci reads is the checkout's. */
function npmCiDecision(command: string, checkout: string, stage: string): CacheDecision | undefined {
  if (!/^npm ci(\s|$)/.test(command) || /--omit|--only|--production|--workspace/.test(command)) return undefined;
  const lock = JSON.parse(readFileSync(join(checkout, 'package-lock.json'), 'utf8')) as { packages: Record<string, { link?: boolean }> };
  // The lockfile names every workspace folder ("" is the root; links point at workspaces).
  const workspaces = Object.keys(lock.packages).filter((path) => !path.includes('node_modules'));
  const inputs = ['package-lock.json', '.npmrc', ...workspaces.map((path) => join(path, 'package.json'))];
  for (const input of inputs) {
    const inCheckout = existsSync(join(checkout, input));
    if (inCheckout !== existsSync(join(stage, input)) || (inCheckout && !sameFile(join(checkout, input), join(stage, input)))) {
      return { hit: false, reason: `${input} differs from the checkout's` };
    }
  }
  if (!existsSync(join(checkout, 'node_modules/.package-lock.json'))) return { hit: false, reason: 'the checkout has no npm install' };
  return { hit: true, reason: `the checkout's npm ci read the same ${inputs.length} files`, apply: () => {}, makesNodeModules: true };
}

interface BuiltProject {
  dir: string;
  outDir: string;
  buildInfo: string;
  configFiles: string[];
  references: string[];
}

/**
 * What TypeScript said about each tsconfig (readProject) in earlier rehearsals of this checkout, with the
 * sha256 of every config file it read (git-ignored, like everything under node_modules).
 */
const PROJECTS_MEMO = 'node_modules/.cache/dockerfile-rehearsal/projects.json';

/** TypeScript, loaded only when a tsconfig has to be read: ~0.6 CPU-s, the warm rehearsal's largest load. */
function typescript(): typeof import('typescript') {
  return createRequire(import.meta.url)('typescript') as typeof import('typescript');
}

/** readProject, answered from PROJECTS_MEMO while the config files it read are byte for byte the same. */
function readProjectOf(configPath: string, checkout: string): BuiltProject {
  const memoPath = join(checkout, PROJECTS_MEMO);
  let memo: Record<string, { files: Record<string, string>; project: BuiltProject }> = {};
  try {
    memo = JSON.parse(readFileSync(memoPath, 'utf8')) as typeof memo;
  } catch {
    // none yet (or unreadable): TypeScript answers
  }
  const known = memo[configPath];
  if (known && Object.entries(known.files).every(([path, hash]) => existsSync(path) && sha256(path) === hash)) return known.project;
  const project = readProject(configPath);
  memo[configPath] = { files: Object.fromEntries(project.configFiles.map((path) => [path, sha256(path)])), project };
  try {
    mkdirSync(dirname(memoPath), { recursive: true });
    writeFileSync(memoPath, JSON.stringify(memo));
  } catch {
    // a read-only checkout: TypeScript answers every time
  }
  return project;
}

/** A project's outDir, .tsbuildinfo and references, as `tsc -b` reads them (its tsconfig and every one it extends). */
function readProject(configPath: string): BuiltProject {
  const ts = typescript();
  const configFiles: string[] = [];
  let current: string | undefined = configPath;
  while (current) {
    configFiles.push(current);
    const raw = ts.readConfigFile(current, ts.sys.readFile).config as { extends?: unknown } | undefined;
    current = typeof raw?.extends === 'string' ? resolve(dirname(current), raw.extends) : undefined;
  }
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!parsed?.options.outDir || !parsed.options.tsBuildInfoFile) throw new Error(`${configPath}: no outDir/tsBuildInfoFile`);
  return {
    dir: dirname(configPath),
    outDir: parsed.options.outDir,
    buildInfo: parsed.options.tsBuildInfoFile,
    configFiles,
    references: (parsed.projectReferences ?? []).map((reference) => ts.resolveProjectReferencePath(reference)),
  };
}

/** `npx tsc -b PROJECT`: hit when every input of PROJECT and its references is in the stage as the checkout built it. */
function tscDecision(command: string, checkout: string, stage: string): CacheDecision | undefined {
  const match = /^npx tsc -b (\S+)$/.exec(command);
  if (!match) return undefined;
  const projects: BuiltProject[] = [];
  const pending = [resolve(checkout, match[1]!)];
  while (pending.length > 0) {
    const config = pending.pop()!;
    const project = readProjectOf(config.endsWith('.json') ? config : join(config, 'tsconfig.json'), checkout);
    projects.push(project);
    pending.push(...project.references);
  }
  let inputs = 0;
  // A referenced project's declaration files are its outputs, checked through its own inputs.
  const isOutput = (path: string) => projects.some((project) => !relative(project.outDir, path).startsWith('..'));
  for (const project of projects) {
    if (!existsSync(project.buildInfo)) return { hit: false, reason: `${relative(checkout, project.buildInfo)}: the checkout has not built it` };
    const info = JSON.parse(readFileSync(project.buildInfo, 'utf8')) as { fileNames: string[]; fileInfos: (string | { version: string })[]; errors?: boolean };
    if (info.errors) return { hit: false, reason: `the checkout's build of ${relative(checkout, project.dir)} had errors` };
    for (const [index, fileName] of info.fileNames.entries()) {
      const source = resolve(dirname(project.buildInfo), fileName);
      const version = info.fileInfos[index];
      // Declaration files of dependencies come from node_modules (the same lockfile); the project's own inputs must match.
      if (source.includes('/node_modules/') || isOutput(source) || version === undefined) continue;
      const inStage = join(stage, relative(checkout, source));
      if (!existsSync(inStage) || sha256(inStage) !== (typeof version === 'string' ? version : version.version)) {
        return { hit: false, reason: `${relative(checkout, source)} is not in the stage as the checkout built it` };
      }
      inputs += 1;
    }
    for (const config of project.configFiles) {
      if (!sameFile(config, join(stage, relative(checkout, config)))) return { hit: false, reason: `${relative(checkout, config)} differs from the checkout's` };
    }
  }
  return {
    hit: true,
    reason: `${inputs} inputs of ${projects.map((p) => relative(checkout, p.dir)).join(', ')} are the ones the checkout built`,
    apply: () => {
      for (const project of projects) cpSync(project.outDir, join(stage, relative(checkout, project.outDir)), { recursive: true });
    },
  };
}

/** `node scripts/bundleEntries.mjs gateway`: hit when the checkout's bundle is fresh and its inputs are in the stage unchanged. */
function bundleDecision(command: string, checkout: string, stage: string): CacheDecision | undefined {
  if (command !== 'node scripts/bundleEntries.mjs gateway') return undefined;
  const bundle = join(checkout, 'gateway/dist/main.js');
  const inputsFile = join(checkout, 'node_modules/.cache/bundle-entries/gateway.json');
  if (!existsSync(bundle) || !existsSync(inputsFile) || !readFileSync(bundle, 'utf8').slice(0, 200).includes('\n// bundled by scripts/bundleEntries.mjs\n')) {
    return { hit: false, reason: 'the checkout has no bundled gateway/dist/main.js' };
  }
  const builtAt = statSync(bundle).mtimeMs;
  // Paths relative to the repository.
  const inputs = [...(JSON.parse(readFileSync(inputsFile, 'utf8')) as string[]).map((path) => join(checkout, path)), join(checkout, 'scripts/bundleEntries.mjs')];
  let compared = 0;
  for (const input of inputs) {
    if (!existsSync(input) || statSync(input).mtimeMs > builtAt) return { hit: false, reason: `${relative(checkout, input)} changed after the checkout's bundle` };
    if (input.includes('/node_modules/')) continue;
    if (!sameFile(input, join(stage, relative(checkout, input)))) return { hit: false, reason: `${relative(checkout, input)} is not in the stage as the checkout bundled it` };
    compared += 1;
  }
  return {
    hit: true,
    reason: `${compared} inputs of the bundle are the ones the checkout bundled`,
    apply: () => {
      for (const file of ['main.js', 'main.js.map']) cpSync(join(checkout, 'gateway/dist', file), join(stage, 'gateway/dist', file));
    },
  };
}

/**
 * What the cache says about one RUN, run in `stageWorkdir` (the stage's WORKDIR as a folder here): the
 * checkout's paths are the paths under WORKDIR, where the Dockerfile copies the build context.
 */
export function cacheDecision(command: string, checkout: string, stageWorkdir: string): CacheDecision {
  return npmCiDecision(command, checkout, stageWorkdir) ?? tscDecision(command, checkout, stageWorkdir) ?? bundleDecision(command, checkout, stageWorkdir) ?? { hit: false, reason: 'not a step the cache knows' };
}
