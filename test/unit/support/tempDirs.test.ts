// tempDir() folders are removed, with what is in them, when the process that made them exits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../../support/processes.js';

test('a process\'s temp folders (and their files) are gone once it exits; they exist while it runs', { timeout: 30_000 }, () => {
  const module = pathToFileURL(join(repoRoot, 'test/support/tempDirs.ts')).href;
  const script = [
    "import { existsSync, mkdirSync, writeFileSync } from 'node:fs';",
    `import { tempDir } from ${JSON.stringify(module)};`,
    "const dirs = [tempDir('gw-tempdirs-probe-'), tempDir('gw-tempdirs-probe-')];",
    "mkdirSync(dirs[0] + '/nested');",
    "writeFileSync(dirs[0] + '/nested/file.yaml', 'a: 1');",
    'console.log(JSON.stringify({ dirs, existed: dirs.every((d) => existsSync(d)) }));',
  ].join('\n');
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  const { dirs, existed } = JSON.parse(child.stdout) as { dirs: string[]; existed: boolean };
  assert.equal(existed, true);
  assert.equal(dirs.length, 2);
  for (const dir of dirs) assert.equal(existsSync(dir), false, `${dir} removed`);
});
