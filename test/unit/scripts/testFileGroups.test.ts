// How run-tests.mjs packs the integration files into shared processes (scripts/testFileGroups.mjs): groups of
// about an equal share, no remainder group much smaller than the rest (it would cost a process of its own
// for a few seconds of tests), files on the same shared fixtures kept together, every file run once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
// @ts-expect-error: a plain ES module script (no declarations); the shape used here is checked by the assertions.
import { planProcesses } from '../../../scripts/testFileGroups.mjs';
import { tempDir } from '../../support/tempDirs.js';

interface PlannedProcess {
  entry: string;
  label: string;
  members: string[];
  seconds: number;
}

/** A checkout with integration files of the given seconds; a file whose name starts with `sample` uses the sample graph. */
function plan(seconds: Record<string, number>): { planned: PlannedProcess[]; file: (name: string) => string } {
  const root = tempDir('test-file-groups-');
  const file = (name: string) => join(root, 'test/integration', `${name}.test.ts`);
  mkdirSync(join(root, 'test/integration'), { recursive: true });
  for (const name of Object.keys(seconds)) writeFileSync(file(name), name.startsWith('sample') ? 'await startSampleGraph();\n' : 'await startProcess();\n');
  const byFile = new Map(Object.entries(seconds).map(([name, s]) => [file(name), s]));
  const planned = planProcesses({
    repoRoot: root,
    files: [...byFile.keys()],
    dir: root,
    concurrency: 2,
    isolate: false,
    expectedSeconds: (path: string) => byFile.get(path)!,
  }) as PlannedProcess[];
  return { planned, file };
}

const filesOf = (planned: PlannedProcess[]) => planned.flatMap((p) => (p.members.length > 0 ? p.members : [p.entry])).sort();

test('a remainder much smaller than a group joins the least-filled group of its kind instead of starting a process', { timeout: 10_000 }, () => {
  // 250 s in 6 shares of 41.7 s: the sample files make one group of 34 s, the 20 s files five of 40 s, and
  // first fit leaves the two 8 s files as a seventh group of 16 s.
  const seconds: Record<string, number> = { sampleLong: 20, sampleShort: 14, smallA: 8, smallB: 8 };
  for (let i = 0; i < 10; i += 1) seconds[`other${i}`] = 20;
  const { planned, file } = plan(seconds);
  const groups = planned.filter((p) => p.members.length > 0);
  assert.equal(groups.length, 6, planned.map((p) => `${p.label} ${p.seconds}`).join('\n'));
  assert.deepEqual(filesOf(planned), Object.keys(seconds).map(file).sort(), 'every file runs, once');
  const withSmall = groups.filter((g) => g.members.includes(file('smallA')));
  assert.equal(withSmall.length, 1);
  assert.ok(withSmall[0]!.members.includes(file('smallB')), 'the remainder moved whole');
  assert.ok(!withSmall[0]!.members.includes(file('sampleLong')), 'not into the sample graph group, though it is the least filled');
  assert.equal(withSmall[0]!.seconds, 56);
});

test('groups of about an equal share stay as first fit made them', { timeout: 10_000 }, () => {
  const seconds: Record<string, number> = {};
  for (let i = 0; i < 14; i += 1) seconds[`other${i}`] = 20;
  const { planned } = plan(seconds);
  const groups = planned.filter((p) => p.members.length > 0);
  // 280 s in 6 shares of 46.7 s: 2 files a group, and a seventh of 2 files (40 s, not a small remainder).
  assert.deepEqual(groups.map((g) => g.members.length), [2, 2, 2, 2, 2, 2, 2]);
});
