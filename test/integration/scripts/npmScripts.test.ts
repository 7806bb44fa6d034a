// npm itself, as users run it: its own messages are not silenced (a typo in a script name says so),
// and the README's token command still yields the token alone.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../support/processes.js';
import { tempDir } from '../../support/tempDirs.js';

describe('npm scripts', () => {
  test('a mistyped script name fails with npm\'s own message', { timeout: 30_000 }, () => {
    // Without an inherited loglevel: run from `npm run -s …`, npm passes npm_config_loglevel=silent down
    // to every nested npm, which would hide the message whatever the repo's own settings are.
    const { npm_config_loglevel: _inherited, ...env } = process.env;
    const result = spawnSync('npm', ['run', 'compose:chek'], { cwd: repoRoot, encoding: 'utf8', env });
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /Missing script: "compose:chek"/);
  });

  test('the README\'s TOKEN=$(npm run -s token …) line captures a JWT and nothing else', { timeout: 30_000 }, () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const line = /^TOKEN=\$\((npm run[^)]*token[^)]*)\)$/m.exec(readme)?.[1];
    assert.ok(line, 'the README shows how to get a token');
    const devAuthFile = join(tempDir('npm-token-'), 'dev-auth.json');
    const result = spawnSync('sh', ['-c', line], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, DEV_AUTH_FILE: devAuthFile } });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/, `stdout is one JWT line, got ${JSON.stringify(result.stdout.slice(0, 200))}`);
  });
});
