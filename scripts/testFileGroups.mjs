// Which test files share a process (scripts/run-tests.mjs). Every test file process starts node, tsx's
// loader thread and the test support modules before its first test: ~1 CPU-s each, ~45 CPU-s for the
// suite's files. So the unit files run in one process, and the integration files in a few, each group
// about an equal share of the run (longest first, as the runner schedules); a file runs alone when it
// says `// run-tests: own process` (it asserts on the process itself, e.g. what it has loaded), when it
// is an e2e file, or when it is as long as a group on its own.
//
// A group is one generated test file: per member, a suite named by the member's path whose (async)
// body imports it, so the member's top-level tests and hooks (`before(...)` at its top level) belong to
// that suite, not to the shared process's root, and run around its own tests only. node:test runs the
// suites one after the other, so no two members' tests overlap. Hooks first and last in each suite
// report the member's own wall time, CPU and processes (scripts/testFileResources.mjs). The group's
// file also offers a registry of fixtures its files share (test/support/sharedFixtures.ts: the sample
// graph's users and orders subgraphs, the fixture subgraph and the gateways over it in
// SHARED_FIXTURE_GATEWAYS) and stops them after its last file.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const OWN_PROCESS_MARKER = /^\/\/ run-tests: own process\b/m;
const SAMPLE_GRAPH = /\bstartSample(Graph|Subgraphs)\(/;
const FIXTURE_GATEWAY = /\bstartFixtureGateway\(/;
const SHARED_FIXTURE_GATEWAYS = /\bSHARED_FIXTURE_GATEWAYS\b/;
export const UNIT_GROUP = 'test/unit';
const INTEGRATION = 'test/integration';
/**
 * How many groups per lane the integration files are cut into: more groups balance the lanes' ends
 * better, fewer start fewer processes (each saves ~1 CPU-s). 3 per lane: the last group to start is a
 * sixth of the integration files' time at 2 lanes.
 */
const GROUPS_PER_LANE = 3;
/** A group holds at least this many seconds of files: a few files given on the command line share a process too. */
const MIN_GROUP_SECONDS = 30;

/** The key under which a file's time is kept (its path from the repo root). */
export const timingKey = (repoRoot, file) => relative(repoRoot, resolve(file));

/** A test file's source, read once per run (the planning below asks several questions of each file, some inside a sort). */
const sources = new Map();
function sourceOf(file) {
  if (!sources.has(file)) sources.set(file, readFileSync(file, 'utf8'));
  return sources.get(file);
}

function groupable(repoRoot, file, layer) {
  if (!timingKey(repoRoot, file).startsWith(`${layer}/`)) return false;
  return !OWN_PROCESS_MARKER.test(sourceOf(file));
}

/**
 * The processes to run, longest first: files alone and groups (a generated file under `dir`).
 * Returns [{ entry, label, members, seconds }]; `members` are the files a group imports ([] for a file alone).
 */
export function planProcesses({ repoRoot, files, dir, concurrency, isolate, expectedSeconds }) {
  const alone = (file) => ({ entry: file, label: timingKey(repoRoot, file), members: [], seconds: expectedSeconds(file) });
  if (isolate) return files.map(alone).sort(longestFirst);
  const units = files.filter((file) => groupable(repoRoot, file, UNIT_GROUP)).sort();
  const integration = files.filter((file) => groupable(repoRoot, file, INTEGRATION));
  const rest = files.filter((file) => !units.includes(file) && !integration.includes(file));
  const plan = rest.map(alone);
  if (units.length > 1) plan.push(group(repoRoot, dir, UNIT_GROUP, 'unit', units, expectedSeconds));
  else plan.push(...units.map(alone));

  // First fit, longest first, into bins of an equal share each; a file longer than a bin stays alone.
  // The files on the sample graph go first, then those on the fixture subgraph, so that each kind fills as
  // few groups as it can and shares its processes there (test/support/sampleGraph.ts, fixtureSupergraph.ts);
  // the files that use one of SHARED_FIXTURE_GATEWAYS are packed as one (as few as fit a group each), so
  // that they do share them.
  const total = integration.reduce((sum, file) => sum + expectedSeconds(file), 0);
  const capacity = Math.max(MIN_GROUP_SECONDS, total / (Math.max(1, concurrency) * GROUPS_PER_LANE));
  const kind = (file) => (SAMPLE_GRAPH.test(sourceOf(file)) ? 0 : FIXTURE_GATEWAY.test(sourceOf(file)) ? 1 : 2);
  const secondsOf = (files) => files.reduce((sum, file) => sum + expectedSeconds(file), 0);
  const longestFirstFiles = (a, b) => expectedSeconds(b) - expectedSeconds(a) || a.localeCompare(b);
  const family = integration.filter((file) => SHARED_FIXTURE_GATEWAYS.test(sourceOf(file)) && expectedSeconds(file) < capacity);
  const together = [];
  for (const file of family.sort(longestFirstFiles)) {
    const chunk = together.find((files) => secondsOf(files) + expectedSeconds(file) < capacity);
    if (chunk) chunk.push(file);
    else together.push([file]);
  }
  const items = [...together, ...integration.filter((file) => !family.includes(file)).map((file) => [file])];
  const bins = [];
  const order = items.sort((a, b) => kind(a[0]) - kind(b[0]) || secondsOf(b) - secondsOf(a) || a[0].localeCompare(b[0]));
  for (const files of order) {
    const seconds = secondsOf(files);
    if (seconds >= capacity) {
      plan.push(...files.map(alone));
      continue;
    }
    const bin = bins.find((candidate) => candidate.seconds + seconds <= capacity);
    if (bin) {
      bin.files.push(...files);
      bin.seconds += seconds;
    } else bins.push({ files: [...files], seconds });
  }
  mergeSmallBins(bins, capacity, kind);
  bins.forEach((bin, index) => {
    if (bin.files.length === 1) plan.push(alone(bin.files[0]));
    else plan.push(group(repoRoot, dir, `${INTEGRATION} #${index + 1}`, `integration-${index + 1}`, bin.files.sort(), expectedSeconds));
  });
  return plan.sort(longestFirst);
}

const longestFirst = (a, b) => b.seconds - a.seconds || a.label.localeCompare(b.label);

/**
 * A bin under this share of a group's capacity is not a group of its own: first fit leaves one such
 * remainder (7-14 s of files in the runs of 2026-12-02), which cost a whole process (~1.5 CPU-s for
 * node, tsx and the support modules, ~3 CPU-s of test process in all) plus the shared fixtures its files
 * start again, for a few seconds of tests.
 */
const SMALL_BIN_SHARE = 0.4;

/**
 * Moves each bin smaller than SMALL_BIN_SHARE of `capacity`, whole (its files may share fixtures), into
 * the least-filled other bin, preferring one with files of the same kind (which shares their processes);
 * that bin runs a little over its share.
 */
function mergeSmallBins(bins, capacity, kind) {
  for (;;) {
    if (bins.length < 2) return;
    const smallest = bins.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    if (smallest.seconds >= capacity * SMALL_BIN_SHARE) return;
    bins.splice(bins.indexOf(smallest), 1);
    const kinds = new Set(smallest.files.map(kind));
    const sameKind = bins.filter((bin) => bin.files.some((file) => kinds.has(kind(file))));
    const target = (sameKind.length > 0 ? sameKind : bins).reduce((a, b) => (b.seconds < a.seconds ? b : a));
    target.files.push(...smallest.files);
    target.seconds += smallest.seconds;
  }
}

function group(repoRoot, dir, label, name, members, expectedSeconds) {
  const entry = join(dir, `${name}.test.mjs`);
  const suites = members.map((file) => {
    const key = JSON.stringify(timingKey(repoRoot, file));
    return [
      `describe(${key}, async () => {`,
      `  before(() => { fixtures.file += 1; resources?.fileStarted(${key}); }, { timeout: 1_000 });`,
      `  await import(${JSON.stringify(pathToFileURL(resolve(file)).href)});`,
      `  after(() => resources?.fileEnded(${key}), { timeout: 1_000 });`,
      '});',
    ].join('\n');
  });
  writeFileSync(
    entry,
    [
      `// ${label}: ${members.length} test files in one process (scripts/testFileGroups.mjs; run-tests.mjs --isolate runs each alone)`,
      "import { after, before, describe } from 'node:test';",
      "const resources = globalThis[Symbol.for('run-tests.file-resources')];",
      '// Fixtures the files share (test/support/sharedFixtures.ts), stopped after the last file.',
      'const stops = [];',
      'const fixtures = { file: 0, onStop: (stop) => stops.push(stop) };',
      "globalThis[Symbol.for('run-tests.shared-fixtures')] = fixtures;",
      ...suites,
      'after(() => Promise.all(stops.map((stop) => stop())), { timeout: 60_000 });',
      '',
    ].join('\n'),
  );
  return { entry, label, members, seconds: members.reduce((sum, file) => sum + expectedSeconds(file), 0) };
}
