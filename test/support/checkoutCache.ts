// What the tests derive from their inputs and keep across runs, per checkout: files under
// node_modules/.cache/<area>/ (git-ignored, and gone with node_modules), each named by its inputs by the
// caller, so a changed input is a new name and never a stale hit.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from './processes.js';

/** The path of `name` in the cache `area`. */
export const cachedFile = (area: string, name: string): string => join(repoRoot, 'node_modules/.cache', area, name);

/** The kept text, or undefined when it was never written. */
export function readCached(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Keeps `text`, written whole under a temporary name and then renamed: a process reading it never sees half a file. */
export function writeCached(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}
