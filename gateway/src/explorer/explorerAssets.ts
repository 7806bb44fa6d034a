// The explorer's browser assets (GraphiQL, React, Monaco and its workers), bundled at build time by
// gateway/explorer/buildExplorer.ts and served from memory by the gateway: no CDN, works offline.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** The nearest folder above this module with a package.json: the gateway's package, from src or dist. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

/** Where the build writes the bundle, e.g. <package>/dist/explorer. */
export function explorerAssetsDir(): string {
  return join(packageRoot(), 'dist', 'explorer');
}

/** The bundle's entry file names the page refers to. */
export const EXPLORER_SCRIPT = 'graphiql.js';
export const EXPLORER_STYLESHEET = 'graphiql.css';

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  // The bundled packages' license notices (esbuild's legalComments).
  '.txt': 'text/plain; charset=utf-8',
};

export interface ExplorerAsset {
  contentType: string;
  body: Buffer;
  /** gzip of `body`, when that is smaller (JS and CSS: the bundle is ~4 MB, ~1 MB gzipped). */
  gzipped: Buffer | undefined;
  etag: string;
}

/**
 * Reads every built asset once. The set of servable names is this directory listing: a request path
 * is only ever looked up in this map, never joined onto the file system.
 * Throws when the bundle is missing (the gateway was not built: `npm run build`).
 */
export function loadExplorerAssets(dir = explorerAssetsDir()): ReadonlyMap<string, ExplorerAsset> {
  if (!existsSync(join(dir, EXPLORER_SCRIPT))) {
    throw new Error(`the GraphiQL explorer is not built (${join(dir, EXPLORER_SCRIPT)} is missing): run \`npm run build\``);
  }
  const assets = new Map<string, ExplorerAsset>();
  for (const name of readdirSync(dir)) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (!contentType) continue;
    const body = readFileSync(join(dir, name));
    const compressed = contentType.startsWith('text/') ? gzipSync(body) : undefined;
    assets.set(name, {
      contentType,
      body,
      gzipped: compressed && compressed.length < body.length ? compressed : undefined,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    });
  }
  return assets;
}
