// Composes the tests' fixture supergraphs with @apollo/composition (what `npm run compose` uses), each set of
// inputs once per checkout: the supergraph is kept under node_modules/.cache/composed-fixtures/, named by a
// hash of everything composition reads (each subgraph's name, URL and SDL text) and of the installed
// @apollo/composition and @apollo/federation-internals versions. So a changed schema, URL or upgrade
// composes again, and a hit is the text a fresh composition would give.
//
// Why: the suite's processes composed ~20 supergraphs a run (35-470 ms of CPU each, cold JIT), and each
// process loaded @apollo/composition (~0.2 CPU-s) to do it. A process whose compositions all hit the cache
// never loads it. Composition itself is tested where it is the subject: the compose and schema:check
// scripts' tests run it for real every time.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { cachedFile, readCached, writeCached } from './checkoutCache.js';

export interface ComposeInput {
  name: string;
  url: string;
  sdl: string;
}

const require = createRequire(import.meta.url);

/** The version of an installed package, read from the package.json above its resolved entry. */
function installedVersion(packageName: string): string {
  let dir = dirname(require.resolve(packageName));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === packageName && manifest.version) return manifest.version;
    } catch {
      // no package.json here: keep going up
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`composeCache: no package.json found for ${packageName}`);
    dir = parent;
  }
}

let composerVersions: string | undefined;
const versions = () => (composerVersions ??= `${installedVersion('@apollo/composition')}+${installedVersion('@apollo/federation-internals')}`);

/** Where the supergraph of `subgraphs` is kept once composed. */
export function cachedSupergraphFile(subgraphs: ComposeInput[]): string {
  const key = createHash('sha256')
    .update(JSON.stringify([versions(), subgraphs.map((s) => [s.name, s.url, s.sdl])]))
    .digest('hex');
  return cachedFile('composed-fixtures', `${key}.graphql`);
}

/** The supergraph SDL of `subgraphs`, as @apollo/composition composes it; throws with composition's errors. */
export function composeSupergraph(subgraphs: ComposeInput[]): string {
  const file = cachedSupergraphFile(subgraphs);
  const kept = readCached(file);
  if (kept !== undefined) return kept;
  // Loaded only on a miss (see the top of this file).
  const { composeServices } = require('@apollo/composition') as typeof import('@apollo/composition');
  const { parse } = require('graphql') as typeof import('graphql');
  const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
  if (result.errors) throw new Error(`fixture composition failed: ${result.errors.map((e) => e.message).join('; ')}`);
  writeCached(file, result.supergraphSdl);
  return result.supergraphSdl;
}
