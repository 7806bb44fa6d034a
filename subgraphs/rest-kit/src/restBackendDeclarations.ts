// The REST services a subgraph wraps, declared once, next to its schema: `subgraphs/<name>/rest-backends.json`.
//
//   { "catalog": { "service": "catalog", "port": 4011, "urlEnv": "CATALOG_URL", "timeoutEnv": "CATALOG_TIMEOUT_MS" } }
//
// The key is the backend's flag stem (--catalog-url, --catalog-timeout-ms); `service` is the folder under
// services/ that implements it; `port` is where `npm start` runs it, and so the subgraph's default URL
// (http://127.0.0.1:<port>). `npm start`, the tests and the subgraph itself all read this file, so adding a
// REST backend is one entry here.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { RestBackendSpec } from './restBackendOptions.js';

/** The file name, in the subgraph's folder (next to schema.graphql). */
export const REST_BACKENDS_FILE = 'rest-backends.json';

const envName = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'must be an upper-case env var name');
const declarationSchema = z.strictObject({
  /** Folder under services/ that implements the backend, e.g. "catalog". */
  service: z.string().regex(/^[a-z][a-z0-9-]*$/),
  /** Port of the service under `npm start`; the subgraph's default URL is http://127.0.0.1:<port>. */
  port: z.number().int().min(1).max(65_535),
  /** Env var the subgraph reads the URL from when `--<key>-url` is absent. */
  urlEnv: envName,
  /** Env var the subgraph reads the per-call timeout (ms) from when `--<key>-timeout-ms` is absent. */
  timeoutEnv: envName,
});
const fileSchema = z.record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be a lower-case flag stem'), declarationSchema);

export type RestBackendDeclaration = z.infer<typeof declarationSchema>;

/** One backend as the starters see it: which subgraph wraps it and how to reach it. */
export interface DeclaredRestBackend extends RestBackendDeclaration {
  /** The key: flag stem of the subgraph's `--<name>-url` / `--<name>-timeout-ms`. */
  name: string;
  /** The wrapping subgraph's folder name. */
  subgraph: string;
}

/** Reads and validates one declarations file; throws an Error naming the file and key. */
export function readRestBackendDeclarations(file: string | URL): Record<string, RestBackendDeclaration> {
  const path = file instanceof URL ? fileURLToPath(file) : file;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

/** The backend options (flags, env, default URL) of each declared backend, for takeRestBackendOptions. */
export function backendSpecs(declarations: Record<string, RestBackendDeclaration>): Record<string, RestBackendSpec> {
  return Object.fromEntries(
    Object.entries(declarations).map(([name, d]) => [
      name,
      { flag: name, urlEnv: d.urlEnv, timeoutEnv: d.timeoutEnv, defaultUrl: `http://127.0.0.1:${d.port}` },
    ]),
  );
}

/** Every REST backend the given subgraphs wrap (subgraphs without a declarations file wrap none). */
export function declaredRestBackends(subgraphsDir: string, subgraphNames: readonly string[]): DeclaredRestBackend[] {
  return subgraphNames.flatMap((subgraph) => {
    const file = join(subgraphsDir, subgraph, REST_BACKENDS_FILE);
    if (!existsSync(file)) return [];
    return Object.entries(readRestBackendDeclarations(file)).map(([name, declaration]) => ({ ...declaration, name, subgraph }));
  });
}
