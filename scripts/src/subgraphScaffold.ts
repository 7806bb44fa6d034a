// `npm run subgraph:new` as a library: validates the name and port, renders the files, proves the graph
// still composes with the new subgraph BEFORE touching the repo, then writes everything (the subgraph's
// workspace package, its test, its tsconfig.build.json reference, the rover.yaml entry, the recomposed
// supergraph.graphql, package-lock.json through `npm install`) and undoes what it wrote if any step
// fails, so a failure never leaves a half-written subgraph behind.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { parseDocument } from 'yaml';
import { composeSupergraph } from './composeSupergraph.js';
import { loadRoverConfig, type RoverConfig } from './roverConfig.js';
import { namesFor, renderSubgraphFiles, type RenderedFiles } from './subgraphTemplate.js';

/** A refusal with a message that says what to do; nothing was written. */
export class ScaffoldError extends Error {
  override readonly name = 'ScaffoldError';
}

/** Lower-case words joined by single hyphens: a folder, a token audience, an env prefix and TS names all derive from it. */
const NAME_PATTERN = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const MAX_NAME_LENGTH = 40;
/** Folders under subgraphs/ that are not subgraphs. */
const RESERVED_NAMES = new Set(['kit', 'rest-kit', 'node_modules', 'dist']);
/** `npm start` gives subgraphs ports from here up (the gateway has 4000). */
const FIRST_SUBGRAPH_PORT = 4001;

export interface ScaffoldOptions {
  repoRoot: string;
  name: string;
  /** Explicit port; default: the first free one from 4001. */
  port?: number;
  /** Ports `npm start` already gives to something else, with who has them (gateway, REST services). */
  reservedPorts: ReadonlyMap<number, string>;
  /** Whether something on this machine listens on the port now. @default a bind attempt on 127.0.0.1 */
  isPortInUse?: (port: number) => Promise<boolean>;
  /** Called after each path is written (progress; tests interrupt here to prove the rollback). */
  onWritten?: (path: string) => void;
  /**
   * Records the new workspace package in package-lock.json and links it into node_modules (`npm ci`
   * refuses a lock that lacks a workspace). @default `npm install` in repoRoot
   */
  installWorkspace?: (repoRoot: string) => Promise<void>;
}

/** `npm install`: no new download (the subgraph's dependencies are the sample subgraphs'), just the lock and the link. */
export async function npmInstallWorkspace(repoRoot: string): Promise<void> {
  try {
    await promisify(execFile)('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: repoRoot, encoding: 'utf8' });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? (error as Error).message).trim();
    throw new ScaffoldError(`npm install failed, so the new workspace package could not be recorded in package-lock.json:\n${stderr}`);
  }
}

export interface ScaffoldResult {
  name: string;
  port: number;
  /** Every path written or changed, relative to the repo root. */
  written: string[];
}

export function isPortInUse(port: number): Promise<boolean> {
  return new Promise((resolveCheck) => {
    const server = createServer();
    server.once('error', () => resolveCheck(true));
    server.listen(port, '127.0.0.1', () => server.close(() => resolveCheck(false)));
  });
}

export function validateSubgraphName(name: string, repoRoot: string, rover: RoverConfig): void {
  if (!NAME_PATTERN.test(name) || name.length > MAX_NAME_LENGTH) {
    throw new ScaffoldError(`"${name}" is not a valid subgraph name: use lower-case letters and digits, words joined by single hyphens, at most ${MAX_NAME_LENGTH} characters (e.g. reviews, gift-cards)`);
  }
  if (RESERVED_NAMES.has(name)) throw new ScaffoldError(`"${name}" is reserved (subgraphs/${name} is not a subgraph)`);
  if (rover.subgraphs.some((subgraph) => subgraph.name === name)) throw new ScaffoldError(`a subgraph named "${name}" is already in rover.yaml`);
  if (existsSync(join(repoRoot, 'subgraphs', name))) throw new ScaffoldError(`subgraphs/${name} already exists`);
}

/** Who has each port under `npm start`: the reserved ones, plus every routing URL in rover.yaml. */
function portOwners(rover: RoverConfig, reserved: ReadonlyMap<number, string>): Map<number, string> {
  const owners = new Map(reserved);
  for (const subgraph of rover.subgraphs) {
    const port = Number(new URL(subgraph.routingUrl).port || 80);
    owners.set(port, `subgraph ${subgraph.name} (rover.yaml)`);
  }
  return owners;
}

async function choosePort(options: ScaffoldOptions, rover: RoverConfig): Promise<number> {
  const owners = portOwners(rover, options.reservedPorts);
  const inUse = options.isPortInUse ?? isPortInUse;
  if (options.port !== undefined) {
    const port = options.port;
    if (!Number.isInteger(port) || port < 1024 || port > 65_535) throw new ScaffoldError(`--port must be a whole number from 1024 to 65535, got ${port}`);
    const owner = owners.get(port);
    if (owner) throw new ScaffoldError(`port ${port} is taken by ${owner}; pick another with --port, or leave it out to get the first free one`);
    if (await inUse(port)) throw new ScaffoldError(`port ${port} is in use on this machine right now; pick another with --port`);
    return port;
  }
  for (let port = FIRST_SUBGRAPH_PORT; port <= 65_535; port += 1) {
    if (!owners.has(port) && !(await inUse(port))) return port;
  }
  throw new ScaffoldError('no free port from 4001 up');
}

/** The `federation/vX.Y` the existing subgraphs link (the most common one), so composition treats them alike. */
export function federationVersionOf(rover: RoverConfig): string {
  const counts = new Map<string, number>();
  for (const subgraph of rover.subgraphs) {
    const version = /specs\.apollo\.dev\/federation\/(v\d+\.\d+)/.exec(readFileSync(subgraph.schemaFile, 'utf8'))?.[1];
    if (version) counts.set(version, (counts.get(version) ?? 0) + 1);
  }
  const [mostCommon] = [...counts].sort((a, b) => b[1] - a[1] || b[0].localeCompare(a[0], 'en', { numeric: true }));
  if (!mostCommon) throw new ScaffoldError('no subgraph in rover.yaml links a federation version to copy');
  return mostCommon[0];
}

/** Composes rover.yaml's subgraphs plus the new one (its schema from memory); throws with composition's report. */
function composeWith(rover: RoverConfig, name: string, routingUrl: string, schemaSdl: string): string {
  const scratch = mkdtempSync(join(tmpdir(), 'subgraph-new-'));
  try {
    const schemaFile = join(scratch, 'schema.graphql');
    writeFileSync(schemaFile, schemaSdl);
    const outcome = composeSupergraph({
      federationVersion: rover.federationVersion,
      subgraphs: [...rover.subgraphs, { name, routingUrl, schemaFile, schemaFileAsWritten: `./subgraphs/${name}/schema.graphql` }],
    });
    if (!outcome.ok) throw new ScaffoldError(`the graph does not compose with the new subgraph:\n\n${outcome.problems.map((p) => `  ✗ ${p}`).join('\n\n')}`);
    return outcome.supergraphSdl;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** rover.yaml with the new entry appended, comments and layout kept. */
function roverWith(roverText: string, name: string, routingUrl: string): string {
  const document = parseDocument(roverText);
  document.setIn(['subgraphs', name], document.createNode({ routing_url: routingUrl, schema: { file: `./subgraphs/${name}/schema.graphql` } }));
  return String(document);
}

/** tsconfig.build.json (JSON with comments) with a reference to the new subgraph after the last subgraph's. */
function buildConfigWith(text: string, name: string): string {
  const lines = text.split('\n');
  const last = lines.map((line) => /^\s*\{\s*"path":\s*"subgraphs\//.test(line)).lastIndexOf(true);
  if (last < 0) throw new ScaffoldError('tsconfig.build.json lists no subgraph to add the new one after');
  const indent = /^\s*/.exec(lines[last]!)![0];
  lines.splice(last + 1, 0, `${indent}{ "path": "subgraphs/${name}" },`);
  return lines.join('\n');
}

/** Writes `content` to `path` through a temp file and a rename: readers see the old or the new file, never half. */
function replaceFile(path: string, content: string): void {
  const temporary = `${path}.subgraph-new-${process.pid}`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}

export async function scaffoldSubgraph(options: ScaffoldOptions): Promise<ScaffoldResult> {
  const { repoRoot, name } = options;
  const roverPath = join(repoRoot, 'rover.yaml');
  const supergraphPath = join(repoRoot, 'supergraph.graphql');
  const rover = loadRoverConfig(roverPath);
  validateSubgraphName(name, repoRoot, rover);
  const port = await choosePort(options, rover);
  const routingUrl = `http://localhost:${port}/graphql`;
  const files: RenderedFiles = renderSubgraphFiles({ names: namesFor(name), federationVersion: federationVersionOf(rover), port });
  const subgraphDir = `subgraphs/${name}`;
  for (const path of files.keys()) {
    if (!path.startsWith(`${subgraphDir}/`) && existsSync(join(repoRoot, path))) throw new ScaffoldError(`${path} already exists`);
  }
  const supergraphSdl = composeWith(rover, name, routingUrl, files.get(`${subgraphDir}/schema.graphql`)!);
  const roverText = readFileSync(roverPath, 'utf8');
  const previousSupergraph = existsSync(supergraphPath) ? readFileSync(supergraphPath, 'utf8') : undefined;
  const buildConfigPath = join(repoRoot, 'tsconfig.build.json');
  const buildConfigText = readFileSync(buildConfigPath, 'utf8');
  const nextBuildConfig = buildConfigWith(buildConfigText, name);
  const lockPath = join(repoRoot, 'package-lock.json');
  const lockText = existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : undefined;
  const workspaceLink = join(repoRoot, 'node_modules', '@federation-gateway', `subgraph-${name}`);

  // Everything is checked: write, and undo on any failure (disk full, permissions, Ctrl-C between steps).
  const undo: (() => void)[] = [];
  const staging = join(repoRoot, 'subgraphs', `.${name}.partial-${process.pid}`);
  try {
    undo.push(() => rmSync(staging, { recursive: true, force: true }));
    for (const [path, content] of files) {
      if (!path.startsWith(`${subgraphDir}/`)) continue;
      const target = join(staging, relative(subgraphDir, path));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
    renameSync(staging, join(repoRoot, subgraphDir));
    undo.push(() => rmSync(join(repoRoot, subgraphDir), { recursive: true, force: true }));
    options.onWritten?.(`${subgraphDir}/`);
    for (const [path, content] of files) {
      if (path.startsWith(`${subgraphDir}/`)) continue;
      mkdirSync(dirname(join(repoRoot, path)), { recursive: true });
      writeFileSync(join(repoRoot, path), content, { flag: 'wx' });
      undo.push(() => rmSync(join(repoRoot, path), { force: true }));
      options.onWritten?.(path);
    }
    replaceFile(buildConfigPath, nextBuildConfig);
    undo.push(() => replaceFile(buildConfigPath, buildConfigText));
    options.onWritten?.('tsconfig.build.json');
    replaceFile(roverPath, roverWith(roverText, name, routingUrl));
    undo.push(() => replaceFile(roverPath, roverText));
    options.onWritten?.('rover.yaml');
    replaceFile(supergraphPath, supergraphSdl);
    undo.push(() => (previousSupergraph === undefined ? rmSync(supergraphPath, { force: true }) : replaceFile(supergraphPath, previousSupergraph)));
    options.onWritten?.('supergraph.graphql');
    undo.push(() => {
      if (lockText !== undefined) replaceFile(lockPath, lockText);
      rmSync(workspaceLink, { force: true });
    });
    await (options.installWorkspace ?? npmInstallWorkspace)(repoRoot);
    options.onWritten?.('package-lock.json');
  } catch (error) {
    for (const step of undo.reverse()) {
      try {
        step();
      } catch {
        // keep undoing the rest
      }
    }
    throw error;
  }
  const written = [`${subgraphDir}/`, ...[...files.keys()].filter((path) => !path.startsWith(`${subgraphDir}/`)), 'tsconfig.build.json', 'rover.yaml', 'supergraph.graphql', 'package-lock.json'];
  return { name, port, written };
}
