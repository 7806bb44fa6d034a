// A node:test reporter (scripts/run-tests.mjs adds it next to the spec reporter): per test file, the
// time its top-level tests took, slowest first, and the total, so that a slow suite says where.
export default async function* testFileTimings(source) {
  const byFile = new Map();
  for await (const event of source) {
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0 && event.data.file) {
      byFile.set(event.data.file, (byFile.get(event.data.file) ?? 0) + (event.data.details?.duration_ms ?? 0));
    }
  }
  const rows = [...byFile].sort((a, b) => b[1] - a[1]);
  const cwd = `${process.cwd()}/`;
  yield `\nrun-tests: time per test file (top-level tests, summed), slowest first:\n`;
  for (const [file, ms] of rows.slice(0, 15)) yield `  ${(ms / 1000).toFixed(1).padStart(6)} s  ${file.replace(cwd, '')}\n`;
  if (rows.length > 15) yield `  … ${rows.length - 15} more files\n`;
  yield `  ${(rows.reduce((sum, [, ms]) => sum + ms, 0) / 1000).toFixed(1).padStart(6)} s  in all ${rows.length} files (run 2 at a time)\n`;
}
