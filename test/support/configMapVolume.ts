// A folder laid out the way the kubelet lays out a ConfigMap volume (its AtomicWriter): each key is a
// symlink `KEY -> ..data/KEY`, `..data` is a symlink to a timestamped folder holding the files, and an
// update writes a new timestamped folder, renames a fresh `..data_tmp` link over `..data` (one atomic
// swap) and deletes the old folder. Tests mount nothing; this is the same sequence of file operations.
import { mkdirSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './tempDirs.js';

export interface ConfigMapVolume {
  readonly dir: string;
  /** The path a container reads for `key` (a symlink through `..data`). */
  pathOf(key: string): string;
  /**
   * Publishes new contents for every key in one swap. With `keepMtimeOf`, each new file gets the mtime of
   * the file it replaces (a content change the mtime alone does not show, as with a restored backup).
   */
  update(files: Record<string, string>, options?: { keepMtime?: boolean }): void;
}

export function createConfigMapVolume(files: Record<string, string>): ConfigMapVolume {
  const dir = tempDir('gw-configmap-');
  let generation = 0;
  let current: string | undefined;

  const writeGeneration = (contents: Record<string, string>, keepMtime: boolean): string => {
    generation += 1;
    const name = `..2025_01_01_00_00_${String(generation).padStart(2, '0')}.${process.pid}`;
    mkdirSync(join(dir, name));
    for (const [key, text] of Object.entries(contents)) {
      const path = join(dir, name, key);
      writeFileSync(path, text);
      if (keepMtime && current) {
        const previous = statSync(join(dir, current, key));
        utimesSync(path, previous.atime, previous.mtime);
      }
    }
    return name;
  };

  current = writeGeneration(files, false);
  symlinkSync(current, join(dir, '..data'));
  for (const key of Object.keys(files)) symlinkSync(join('..data', key), join(dir, key));

  return {
    dir,
    pathOf: (key) => join(dir, key),
    update(contents, options = {}) {
      const next = writeGeneration(contents, options.keepMtime ?? false);
      symlinkSync(next, join(dir, '..data_tmp'));
      renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
      rmSync(join(dir, current!), { recursive: true, force: true });
      current = next;
    },
  };
}
