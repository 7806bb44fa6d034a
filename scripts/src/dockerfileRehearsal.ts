#!/usr/bin/env node
// `npm run deploy:rehearse`: performs deploy/Dockerfile's steps without a container engine (none can run
// here: no registry serves base images), then starts the result as the image would and runs its
// HEALTHCHECK against it. What it proves: the build context (.dockerignore) holds what the build needs,
// every RUN succeeds, the runtime stage's files (production dependencies only, the compiled gateway, the
// config) are enough to start the CMD with NODE_ENV=production, and the HEALTHCHECK passes.
// What it cannot prove: the base image, the USER switch (file ownership) and the container's network.
//
// Each stage gets its own folder standing in for its root filesystem; absolute paths (WORKDIR, COPY
// destinations, CMD arguments naming files the image has) are mapped into it. RUN steps run with the
// stage's ENV in its WORKDIR. npm runs with prefer-offline, the equivalent of a warm build cache.
//
// usage: dockerfileRehearsal [--dockerfile deploy/Dockerfile] [--out DIR] [--env NAME]... [--check]
//                            [--reuse-checkout-build] [--layer-cache DIR] [--offline]
//   Builds into DIR (default: a new temp folder), starts the CMD with the image's ENV plus each --env NAME
//   taken from this process's environment (like `docker run -e NAME`: nothing else of this environment
//   leaks in, e.g. PORT=0 ADMIN_PORT=0 SUPERGRAPH_PATH=…), forwards its output, runs the HEALTHCHECK once
//   the gateway logs `listening`, and logs {"msg":"rehearsal_healthy"}. With --check it then stops the
//   gateway and exits 0; otherwise it runs until SIGTERM/SIGINT.
//   --reuse-checkout-build: build steps whose inputs are this checkout's take its results (rehearsalBuildCache.ts:
//   its full `npm ci` and its compiled gateway; the production-only install still runs). --offline: npm
//   installs from the local npm cache only, never from the network. --layer-cache DIR: an `npm ci` step
//   that ran for real on the same inputs in an earlier rehearsal is taken from DIR (rehearsalLayerCache.ts).
//   The test uses all three.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { envPairs, readDockerfile, type DockerInstruction, type DockerStage } from './dockerfile.js';
import { cacheDecision } from './rehearsalBuildCache.js';
import { linkTree } from './linkTree.js';
import { layerDecision } from './rehearsalLayerCache.js';

interface BuildOptions {
  /** Take the results of build steps whose inputs are this checkout's from the checkout (rehearsalBuildCache.ts). */
  reuseCheckoutBuild: boolean;
  /** npm from the local cache only. */
  offline: boolean;
  /** Where `npm ci` results of earlier rehearsals are kept (rehearsalLayerCache.ts), or undefined: none. */
  layerCache: string | undefined;
}

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
// A CommonJS module whose typings declare an ES default export: loaded the way it is published.
const ignore = createRequire(import.meta.url)('@balena/dockerignore') as typeof import('@balena/dockerignore').default;

export interface RehearsedImage {
  /** The runtime stage's root folder. */
  root: string;
  workdir: string;
  env: Record<string, string>;
  user: string | undefined;
  cmd: string[];
  healthcheck: string[] | undefined;
  exposed: number[];
}

function log(fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ service: 'dockerfile-rehearsal', ...fields })}\n`);
}

class RehearsalError extends Error {}

function fail(instruction: DockerInstruction, message: string): never {
  throw new RehearsalError(`Dockerfile line ${instruction.line} (${instruction.keyword}): ${message}`);
}

/** The build context as `COPY` sees it: the repository less what .dockerignore excludes. */
function contextFilter(contextDir: string): (source: string) => boolean {
  const ignoreFile = join(contextDir, '.dockerignore');
  const rules = ignore().add(existsSync(ignoreFile) ? readFileSync(ignoreFile, 'utf8') : '');
  return (source) => {
    const path = relative(contextDir, source);
    return path === '' || !rules.ignores(path);
  };
}

function buildStages(dockerfilePath: string, contextDir: string, outDir: string, options: BuildOptions): RehearsedImage {
  const dockerfile = readDockerfile(dockerfilePath);
  const roots = new Map<string, string>();
  const inContext = contextFilter(contextDir);
  let image: RehearsedImage | undefined;
  for (const stage of dockerfile.stages) {
    image = buildStage(stage, join(outDir, stage.name), roots, contextDir, inContext, options);
    roots.set(stage.name, image.root);
  }
  return image!;
}

function buildStage(
  stage: DockerStage,
  root: string,
  roots: Map<string, string>,
  contextDir: string,
  inContext: (source: string) => boolean,
  options: BuildOptions,
): RehearsedImage {
  mkdirSync(root, { recursive: true });
  const image: RehearsedImage = { root, workdir: '/', env: {}, user: undefined, cmd: [], healthcheck: undefined, exposed: [] };
  const inRoot = (path: string) => join(root, resolve(image.workdir, path));
  const stepEnv = (): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    npm_config_prefer_offline: 'true',
    ...(options.offline ? { npm_config_offline: 'true' } : {}),
    npm_config_update_notifier: 'false',
    ...image.env,
  });
  const run = (instruction: DockerInstruction) => {
    log({ event: 'run', stage: stage.name, msg: `RUN ${instruction.args}` });
    const result = spawnSync('sh', ['-c', instruction.args], {
      cwd: join(root, image.workdir),
      env: stepEnv(),
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (result.status !== 0) fail(instruction, `exited ${result.status ?? result.signal}`);
  };
  // An install taken from the cache whose node_modules no step has needed yet (see rehearsalBuildCache.ts).
  let unmadeInstall: DockerInstruction | undefined;
  log({ event: 'stage', stage: stage.name, image: stage.image, msg: `stage ${stage.name} (FROM ${stage.image})` });
  for (const instruction of stage.instructions) {
    switch (instruction.keyword) {
      case 'WORKDIR':
        image.workdir = resolve(image.workdir, instruction.args);
        mkdirSync(join(root, image.workdir), { recursive: true });
        break;
      case 'ENV':
        Object.assign(image.env, envPairs(instruction.args));
        break;
      case 'USER':
        image.user = instruction.args;
        break;
      case 'EXPOSE':
        image.exposed.push(...instruction.args.split(/\s+/).map((port) => Number.parseInt(port, 10)));
        break;
      case 'ARG':
        break; // only build-time defaults before FROM are used (in FROM)
      case 'CMD':
        if (!instruction.exec) fail(instruction, 'use the exec form (a JSON array): the shell form needs /bin/sh as PID 1');
        image.cmd = instruction.exec;
        break;
      case 'HEALTHCHECK': {
        const command = /^CMD\s+(.*)$/.exec(instruction.args)?.[1];
        const exec = command?.startsWith('[') ? (JSON.parse(command) as string[]) : undefined;
        if (!exec) fail(instruction, 'HEALTHCHECK CMD in exec form expected');
        image.healthcheck = exec;
        break;
      }
      case 'COPY': {
        const parts = instruction.exec ?? instruction.args.split(/\s+/);
        const destination = parts.at(-1)!;
        const sources = parts.slice(0, -1);
        if (sources.length === 0) fail(instruction, 'no source');
        const from = instruction.flags.from;
        const sourceRoot = from === undefined ? contextDir : roots.get(from);
        if (!sourceRoot) fail(instruction, `no earlier stage named ${from}`);
        for (const source of sources) {
          const sourcePath = from === undefined ? join(contextDir, source) : join(sourceRoot, resolve('/', source));
          if (!existsSync(sourcePath) || (from === undefined && !inContext(sourcePath))) fail(instruction, `${source} is not in the ${from === undefined ? 'build context' : `stage ${from}`}`);
          const isDirectory = statSync(sourcePath).isDirectory();
          // Docker: a folder's contents are copied (not the folder); a file into a folder when the destination ends with '/'.
          const target = isDirectory || !destination.endsWith('/') ? inRoot(destination) : join(inRoot(destination), source.split('/').at(-1)!);
          mkdirSync(isDirectory ? target : dirname(target), { recursive: true });
          if (from !== undefined) {
            // The earlier stage is finished: its files are hard-linked, not copied (linkTree.ts).
            linkTree(sourcePath, target);
            continue;
          }
          cpSync(sourcePath, target, {
            recursive: true,
            // Workspace links in node_modules are relative: kept as they are, they point inside the image.
            verbatimSymlinks: true,
            filter: inContext,
          });
        }
        break;
      }
      case 'RUN': {
        if (instruction.exec) fail(instruction, 'use the shell form');
        const decision = options.reuseCheckoutBuild ? cacheDecision(instruction.args, contextDir, join(root, image.workdir)) : undefined;
        if (decision?.hit) {
          log({ event: 'run', stage: stage.name, cached: true, cache: 'checkout', reason: decision.reason, msg: `RUN ${instruction.args} (from the checkout: ${decision.reason})` });
          decision.apply();
          if (decision.makesNodeModules) unmadeInstall = instruction;
          break;
        }
        if (decision) log({ event: 'cache_miss', stage: stage.name, cache: 'checkout', reason: decision.reason, msg: `RUN ${instruction.args}: runs (${decision.reason})` });
        // A later `npm ci` replaces node_modules whole; any other step may need the install made first.
        if (unmadeInstall && !/^npm ci(\s|$)/.test(instruction.args)) run(unmadeInstall);
        unmadeInstall = undefined;
        const layer = options.layerCache ? layerDecision(options.layerCache, instruction.args, join(root, image.workdir), stepEnv()) : undefined;
        if (layer?.hit) {
          log({ event: 'run', stage: stage.name, cached: true, cache: 'layer', reason: layer.reason, msg: `RUN ${instruction.args} (layer cache: ${layer.reason})` });
          layer.apply();
          break;
        }
        if (layer) log({ event: 'cache_miss', stage: stage.name, cache: 'layer', reason: layer.reason, msg: `RUN ${instruction.args}: runs (${layer.reason})` });
        run(instruction);
        layer?.store();
        break;
      }
      default:
        fail(instruction, 'not supported by the rehearsal (keep the Dockerfile to WORKDIR, ENV, USER, EXPOSE, ARG, COPY, RUN, HEALTHCHECK, CMD)');
    }
  }
  // A later stage may copy the node_modules.
  if (unmadeInstall) run(unmadeInstall);
  return image;
}

/** An argument naming a file the image has (an absolute path) points into the image's folder. */
function mapPath(image: RehearsedImage, argument: string): string {
  return isAbsolute(argument) && existsSync(join(image.root, argument)) ? join(image.root, argument) : argument;
}

async function startImage(image: RehearsedImage, passEnv: readonly string[], check: boolean): Promise<void> {
  const [command, ...args] = image.cmd;
  if (command !== 'node') throw new RehearsalError(`CMD starts ${command}; the rehearsal runs node commands only`);
  const cwd = join(image.root, image.workdir);
  // The image's ENV, under what the caller passes (as `docker run -e` does); PATH and HOME stand in for the image's own.
  const passed = Object.fromEntries(passEnv.filter((name) => process.env[name] !== undefined).map((name) => [name, process.env[name]!]));
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...image.env, ...passed };
  const child = spawn(process.execPath, args.map((argument) => mapPath(image, argument)), { cwd, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = () => child.kill('SIGTERM');
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  let partial = '';
  let checked = false;
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    process.stdout.write(chunk);
    partial += chunk;
    let newline: number;
    while ((newline = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, newline);
      partial = partial.slice(newline + 1);
      let record: { msg?: unknown; adminUrl?: unknown } | undefined;
      try {
        record = JSON.parse(line) as typeof record;
      } catch {
        continue;
      }
      if (record?.msg === 'listening' && !checked) {
        checked = true;
        runHealthcheck(image, cwd, env, typeof record.adminUrl === 'string' ? record.adminUrl : undefined);
        if (check) stop();
      }
    }
  });
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
    child.on('exit', (exitCode, exitSignal) => resolveExit({ code: exitCode, signal: exitSignal })),
  );
  if (!checked) throw new RehearsalError(`the image's CMD exited (${code ?? signal}) before listening`);
  process.exitCode = code === 0 ? 0 : 1;
}

/**
 * The HEALTHCHECK as Docker runs it, inside the container. Its URL names the admin port of the image
 * (9090); the rehearsal's gateway listens where the caller put it (ADMIN_PORT=0 in tests), so that URL is
 * pointed at the admin listener the gateway reported.
 */
function runHealthcheck(image: RehearsedImage, cwd: string, env: NodeJS.ProcessEnv, adminUrl: string | undefined): void {
  if (!image.healthcheck) throw new RehearsalError('the image has no HEALTHCHECK');
  const [command, ...args] = image.healthcheck;
  if (command !== 'node') throw new RehearsalError(`HEALTHCHECK runs ${command}; the rehearsal runs node commands only`);
  const pointed = adminUrl ? args.map((argument) => argument.replace(/http:\/\/127\.0\.0\.1:\d+/g, adminUrl)) : args;
  const result = spawnSync(process.execPath, pointed, { cwd, env, encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0) throw new RehearsalError(`HEALTHCHECK failed (exit ${result.status ?? result.signal}): ${result.stderr}`);
  log({ event: 'rehearsal_healthy', msg: 'rehearsal_healthy', user: image.user, healthcheck: pointed.join(' ') });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dockerfile: { type: 'string' },
      out: { type: 'string' },
      env: { type: 'string', multiple: true },
      check: { type: 'boolean' },
      'reuse-checkout-build': { type: 'boolean' },
      offline: { type: 'boolean' },
      'layer-cache': { type: 'string' },
    },
    strict: true,
  });
  const dockerfile = resolve(values.dockerfile ?? join(repoRoot, 'deploy/Dockerfile'));
  const outDir = values.out ? resolve(values.out) : mkdtempSync(join(tmpdir(), 'gateway-image-'));
  const startedAt = Date.now();
  const image = buildStages(dockerfile, repoRoot, outDir, { reuseCheckoutBuild: values['reuse-checkout-build'] ?? false, offline: values.offline ?? false, layerCache: values['layer-cache'] ? resolve(values['layer-cache']) : undefined });
  log({ event: 'built', root: image.root, seconds: Math.round((Date.now() - startedAt) / 1000), msg: `image rehearsed in ${image.root}` });
  await startImage(image, values.env ?? [], values.check ?? false);
}

main().catch((error: unknown) => {
  process.stderr.write(`deploy:rehearse: ${error instanceof RehearsalError ? error.message : (error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
