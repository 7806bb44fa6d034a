// The Dockerfile rehearsal's layer cache (`dockerfileRehearsal --layer-cache DIR`, what its test uses): an
// `npm ci` step that ran for real leaves its result (every node_modules folder it made) in DIR, keyed on
// everything that step reads; a later rehearsal whose step has the same key takes that result instead of
// installing again, as Docker's layer cache would. The result always comes from a real run of the same
// command on the same inputs, never from this checkout's own install (unlike rehearsalBuildCache.ts), so a
// change to the lockfile, any workspace manifest, .npmrc, the command, its environment, npm or node runs the
// step for real again (the suite's production-only install: ~16 CPU-s, ~0.5-2 on a hit).
// The key: the command; the step's environment but PATH and HOME (whose npm is named by its version); npm's
// and node's versions, platform and architecture; the bytes of package-lock.json, .npmrc and the
// package.json of every workspace the lockfile lists (npm ci checks them all against the lock). DIR keeps
// the latest result only (~140 MB for the production install).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { linkTree } from './linkTree.js';

export type LayerDecision =
  | { hit: true; reason: string; /** Puts the earlier run's result into the stage. */ apply: () => void }
  | { hit: false; reason: string; /** Keeps this run's result (call after the step succeeded). */ store: () => void };

/** Workspace folders ('' is the root) named by the stage's lockfile. */
function lockWorkspaces(stage: string): string[] | undefined {
  const lockPath = join(stage, 'package-lock.json');
  if (!existsSync(lockPath)) return undefined;
  const lock = JSON.parse(readFileSync(lockPath, 'utf8')) as { packages?: Record<string, unknown> };
  return Object.keys(lock.packages ?? {}).filter((path) => !path.includes('node_modules'));
}

const npmVersions = new Map<string | undefined, string | undefined>();
/**
 * The version of the npm a step's shell finds on PATH, once per PATH: read from the package.json of the npm
 * package its `npm` links into (e.g. /usr/bin/npm -> /usr/lib/node_modules/npm/bin/npm-cli.js); when the
 * first `npm` on PATH is laid out otherwise (a wrapper script), asked (`npm --version`, ~0.3 CPU-s).
 */
function npmVersion(path: string | undefined): string | undefined {
  if (!npmVersions.has(path)) npmVersions.set(path, npmVersionFromPackage(path) ?? askNpmVersion(path));
  return npmVersions.get(path);
}

function npmVersionFromPackage(path: string | undefined): string | undefined {
  const found = (path ?? '').split(delimiter).find((dir) => dir !== '' && existsSync(join(dir, 'npm')));
  if (!found) return undefined;
  try {
    const manifest = JSON.parse(readFileSync(join(dirname(realpathSync(join(found, 'npm'))), '..', 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
    return manifest.name === 'npm' && typeof manifest.version === 'string' ? manifest.version : undefined;
  } catch {
    return undefined;
  }
}

function askNpmVersion(path: string | undefined): string | undefined {
  const npm = spawnSync('npm', ['--version'], { env: { PATH: path }, encoding: 'utf8' });
  return npm.status === 0 ? npm.stdout.trim() : undefined;
}

/** The key of `npm ci ...` run in `stage` with `env`, or undefined when the step is not one the cache keeps. */
function stepKey(command: string, stage: string, env: NodeJS.ProcessEnv): string | undefined {
  if (!/^npm ci(\s|$)/.test(command)) return undefined;
  const workspaces = lockWorkspaces(stage);
  if (!workspaces) return undefined;
  const npm = npmVersion(env.PATH);
  if (!npm) return undefined;
  const hash = createHash('sha256');
  const stepEnv = Object.entries(env).filter(([name]) => name !== 'PATH' && name !== 'HOME').sort(([a], [b]) => a.localeCompare(b));
  hash.update(JSON.stringify({ command, env: stepEnv, npm, node: process.version, platform: process.platform, arch: process.arch }));
  for (const input of ['package-lock.json', '.npmrc', ...workspaces.map((path) => join(path, 'package.json'))]) {
    const path = join(stage, input);
    hash.update(`\0${input}\0`);
    hash.update(existsSync(path) ? readFileSync(path) : '(absent)');
  }
  return hash.digest('hex').slice(0, 32);
}

/** The node_modules folders an install made in `stage`: the root's and any workspace's own. */
function installedFolders(stage: string): string[] {
  return (lockWorkspaces(stage) ?? ['']).map((path) => join(path, 'node_modules')).filter((path) => existsSync(join(stage, path)));
}

export function layerDecision(cacheDir: string, command: string, stage: string, env: NodeJS.ProcessEnv): LayerDecision | undefined {
  const key = stepKey(command, stage, env);
  if (!key) return undefined;
  const entry = join(cacheDir, key);
  if (existsSync(join(entry, 'complete'))) {
    return {
      hit: true,
      reason: `an earlier rehearsal ran this step on the same inputs (layer ${key.slice(0, 12)})`,
      apply: () => {
        for (const folder of readFileSync(join(entry, 'complete'), 'utf8').split('\n').filter(Boolean)) {
          rmSync(join(stage, folder), { recursive: true, force: true });
          linkTree(join(entry, 'layer', folder), join(stage, folder));
        }
      },
    };
  }
  return {
    hit: false,
    reason: `no earlier run of this step on the same inputs (layer ${key.slice(0, 12)})`,
    store: () => {
      // Written aside and renamed into place: a rehearsal running at the same time never reads half a layer.
      mkdirSync(cacheDir, { recursive: true });
      const partial = join(cacheDir, `.partial-${key}-${process.pid}`);
      rmSync(partial, { recursive: true, force: true });
      const folders = installedFolders(stage);
      for (const folder of folders) linkTree(join(stage, folder), join(partial, 'layer', folder));
      // The list of folders last: an entry without it is incomplete.
      mkdirSync(partial, { recursive: true });
      writeFileSync(join(partial, 'complete'), `${folders.join('\n')}\n`);
      // The latest layer only (other rehearsals' partial ones are theirs).
      for (const old of readdirSync(cacheDir)) if (!old.startsWith('.partial-')) rmSync(join(cacheDir, old), { recursive: true, force: true });
      renameSync(partial, entry);
    },
  };
}
