// Whether `tsc -b tsconfig.build.json` would find nothing to do, told without loading TypeScript: tsc's
// own no-op costs ~0.9 CPU-s and ~1 s before the first test of every `npm test`, most of it loading the
// compiler. The answer is conservative: "fresh" only when, for every project the build references (and
// theirs),
//   - its .tsbuildinfo exists, was written by the installed TypeScript, and records a clean build (the
//     keys a build without errors or pending work writes, nothing else),
//   - nothing under its `include` folders (files and folders: a folder's time changes when a file is added
//     or removed), its tsconfig or a tsconfig it extends is newer than that .tsbuildinfo,
//   - no referenced project's .tsbuildinfo is newer than it (tsc -b touches a dependant's when it rebuilds).
// Anything else, including a tsconfig this reader does not understand, answers "not fresh", and tsc -b
// runs as before and decides what to rebuild.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

/** The keys tsc 5.x writes into the .tsbuildinfo of a project built without errors and with nothing pending. */
const CLEAN_BUILD_KEYS = new Set(['fileNames', 'fileIdsList', 'fileInfos', 'root', 'options', 'referencedMap', 'latestChangedDtsFile', 'version']);

/** A tsconfig's JSON without its comments (tsconfig files allow // and /* *\/ comments and trailing commas). */
function parseTsconfig(path) {
  const text = readFileSync(path, 'utf8');
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') {
      const end = text.indexOf('"', i + 1);
      // Paths and options hold no escaped quotes; a string that does is not understood.
      if (end === -1 || text.slice(i + 1, end).includes('\\')) throw new Error(`${path}: string not understood`);
      out += text.slice(i, end + 1);
      i = end;
    } else if (char === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end - 1;
    } else if (char === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end === -1) throw new Error(`${path}: unclosed comment`);
      i = end + 1;
    } else {
      out += char;
    }
  }
  return JSON.parse(out.replace(/,(\s*[}\]])/g, '$1'));
}

/** The newest modification time (ms) of a folder, and of every file and folder under it. */
function newestUnder(dir) {
  let newest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * A project's state: its .tsbuildinfo time, or undefined when the project is not known to be fresh.
 * `seen` keeps each project's answer (projects are referenced by several).
 */
function projectState(tsconfigPath, typescriptVersion, seen) {
  if (seen.has(tsconfigPath)) return seen.get(tsconfigPath);
  seen.set(tsconfigPath, undefined);
  const projectDir = dirname(tsconfigPath);
  const config = parseTsconfig(tsconfigPath);
  const configTimes = [statSync(tsconfigPath).mtimeMs];
  for (let extended = config.extends, from = projectDir; typeof extended === 'string'; ) {
    if (!extended.startsWith('.')) return undefined;
    const path = resolve(from, extended);
    configTimes.push(statSync(path).mtimeMs);
    from = dirname(path);
    extended = parseTsconfig(path).extends;
  }
  const buildInfoName = config.compilerOptions?.tsBuildInfoFile;
  const include = config.include;
  if (typeof buildInfoName !== 'string' || !Array.isArray(include) || config.files !== undefined) return undefined;
  const buildInfoPath = resolve(projectDir, buildInfoName);
  if (!existsSync(buildInfoPath)) return undefined;
  const buildInfo = JSON.parse(readFileSync(buildInfoPath, 'utf8'));
  if (buildInfo.version !== typescriptVersion || !Object.keys(buildInfo).every((key) => CLEAN_BUILD_KEYS.has(key))) return undefined;
  const builtAt = statSync(buildInfoPath).mtimeMs;

  const inputTimes = [...configTimes];
  for (const pattern of include) {
    // Plain folder names only; a glob is tsc's to expand.
    if (typeof pattern !== 'string' || /[*?{[]/.test(pattern)) return undefined;
    const path = resolve(projectDir, pattern);
    if (!existsSync(path)) return undefined;
    inputTimes.push(statSync(path).isDirectory() ? newestUnder(path) : statSync(path).mtimeMs);
  }
  if (inputTimes.some((time) => time >= builtAt)) return undefined;
  for (const reference of config.references ?? []) {
    const referencePath = resolve(projectDir, reference.path);
    const referenceConfig = statSync(referencePath).isDirectory() ? join(referencePath, 'tsconfig.json') : referencePath;
    const referenceBuiltAt = projectState(referenceConfig, typescriptVersion, seen);
    if (referenceBuiltAt === undefined || referenceBuiltAt > builtAt) return undefined;
  }
  seen.set(tsconfigPath, builtAt);
  return builtAt;
}

/** True when `tsc -b <buildConfig>` (a solution: files [], references only) is known to have nothing to do. */
export function tscBuildIsFresh(repoRoot, buildConfig = 'tsconfig.build.json') {
  try {
    const typescriptVersion = JSON.parse(readFileSync(createRequire(join(repoRoot, 'package.json')).resolve('typescript/package.json'), 'utf8')).version;
    const solution = parseTsconfig(join(repoRoot, buildConfig));
    if (!Array.isArray(solution.references) || (solution.files ?? []).length > 0 || solution.include !== undefined) return false;
    const seen = new Map();
    return solution.references.every(({ path }) => {
      const projectPath = resolve(repoRoot, path);
      const tsconfigPath = statSync(projectPath).isDirectory() ? join(projectPath, 'tsconfig.json') : projectPath;
      return projectState(tsconfigPath, typescriptVersion, seen) !== undefined;
    });
  } catch {
    // A file that vanished or a tsconfig not understood: let tsc decide.
    return false;
  }
}
