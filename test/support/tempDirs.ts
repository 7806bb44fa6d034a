// Temporary folders for a test process's config, supergraph and key files: made under the OS temp folder
// and removed when the process exits (its gateways and subgraphs are stopped by then), so a run leaves none
// behind. Removal does not follow symbolic links.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];
let removalRegistered = false;

/** A new folder `<tmp>/<prefix>XXXXXX`, removed with everything in it when this process exits. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  if (!removalRegistered) {
    removalRegistered = true;
    process.on('exit', () => {
      for (const path of made) rmSync(path, { recursive: true, force: true });
    });
  }
  return dir;
}
