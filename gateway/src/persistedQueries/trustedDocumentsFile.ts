// Loads the trusted-documents manifest from a file and hot-reloads it: a changed file is parsed and
// checked first, and only a valid one replaces the list (an invalid one is logged, counted, and the
// previous list keeps serving). Polling (fs.watchFile), like the supergraph file: deploys replace the file
// atomically (a new inode), which fs.watch misses on some platforms.
import { readFileSync, statSync, unwatchFile, watchFile } from 'node:fs';
import type { Logger } from '../logger.js';
import { parseTrustedDocumentsManifest, TrustedDocumentsManifestError, type TrustedDocuments } from './trustedDocumentsManifest.js';

export function loadTrustedDocumentsFile(path: string): TrustedDocuments {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TrustedDocumentsManifestError(`cannot read trusted-documents manifest ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return parseTrustedDocumentsManifest(text, path);
}

export interface TrustedDocumentsFileOptions {
  path: string;
  watch: boolean;
  pollIntervalMs: number;
  logger: Logger;
  /** Called with each list that becomes current (the initial one included). */
  onLoaded?(documents: TrustedDocuments): void;
  onReloadResult?(result: 'applied' | 'rejected'): void;
}

export interface TrustedDocumentsFile {
  /** The list in force. */
  current(): TrustedDocuments;
  stop(): void;
}

/** Loads the manifest now (throws TrustedDocumentsManifestError) and, when asked, keeps it current. */
export function openTrustedDocumentsFile(options: TrustedDocumentsFileOptions): TrustedDocumentsFile {
  const { path, logger } = options;
  let documents = loadTrustedDocumentsFile(path);
  options.onLoaded?.(documents);
  let lastMtimeMs = statSync(path).mtimeMs;
  const onChange = () => {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(path).mtimeMs;
    } catch {
      logger.error({ event: 'trusted_documents_reload_failed', path }, 'trusted-documents manifest disappeared; keeping the current list');
      options.onReloadResult?.('rejected');
      return;
    }
    if (mtimeMs === lastMtimeMs) return;
    lastMtimeMs = mtimeMs;
    try {
      documents = loadTrustedDocumentsFile(path);
    } catch (error) {
      logger.error({ event: 'trusted_documents_reload_failed', path, err: (error as Error).message }, 'invalid trusted-documents manifest rejected; keeping the current list');
      options.onReloadResult?.('rejected');
      return;
    }
    options.onLoaded?.(documents);
    options.onReloadResult?.('applied');
    logger.info({ event: 'trusted_documents_reloaded', path, operations: documents.byId.size }, 'trusted-documents manifest reloaded');
  };
  if (options.watch) watchFile(path, { interval: options.pollIntervalMs, persistent: false }, onChange);
  return {
    current: () => documents,
    stop: () => unwatchFile(path, onChange),
  };
}
