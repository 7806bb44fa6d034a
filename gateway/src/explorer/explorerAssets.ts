// The explorer's browser assets (GraphiQL, React, Monaco and its workers), bundled and gzipped at build
// time by gateway/explorer/buildExplorer.ts, read on the first request, then served from memory: no CDN,
// works offline, and costs the gateway's startup nothing.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { packageRoot } from '../packageRoot.js';

/**
 * Where the build writes the bundle: <package>/dist/explorer-assets (gateway/dist/explorer holds the
 * compiled src/explorer modules, which the bundler's clean step must not delete).
 */
export function explorerAssetsDir(): string {
  return join(packageRoot(import.meta.url), 'dist', 'explorer-assets');
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
  /** The build's gzip of `body` (`<name>.gz`): the ~5 MB bundle is ~1.4 MB gzipped. */
  gzipped: Buffer | undefined;
  etag: string;
}

/** Why the explorer cannot be served (the bundle is missing: the gateway was not built), or undefined. */
export function explorerBuildProblem(dir = explorerAssetsDir()): string | undefined {
  if (existsSync(join(dir, EXPLORER_SCRIPT))) return undefined;
  return `the GraphiQL explorer is not built (${join(dir, EXPLORER_SCRIPT)} is missing): run \`npm run build\``;
}

/**
 * Reads every built asset. The set of servable names is this directory listing: a request path is
 * only ever looked up in this map, never joined onto the file system.
 */
export function loadExplorerAssets(dir = explorerAssetsDir()): ReadonlyMap<string, ExplorerAsset> {
  const problem = explorerBuildProblem(dir);
  if (problem) throw new Error(problem);
  const names = new Set(readdirSync(dir));
  const assets = new Map<string, ExplorerAsset>();
  for (const name of names) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (!contentType) continue;
    const body = readFileSync(join(dir, name));
    assets.set(name, {
      contentType,
      body,
      gzipped: names.has(`${name}.gz`) ? readFileSync(join(dir, `${name}.gz`)) : undefined,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    });
  }
  return assets;
}

/** Loads the assets on first use and keeps them (or the reason they cannot be loaded). */
export function lazyExplorerAssets(dir = explorerAssetsDir()): () => ReadonlyMap<string, ExplorerAsset> | Error {
  let loaded: ReadonlyMap<string, ExplorerAsset> | Error | undefined;
  return () => {
    if (loaded === undefined) {
      try {
        loaded = loadExplorerAssets(dir);
      } catch (error) {
        loaded = error as Error;
      }
    }
    return loaded;
  };
}
