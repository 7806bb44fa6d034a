// The gateway CLI refuses bad input with a non-zero exit and one clear line on stderr.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeFixture } from '../../support/fixtureSupergraph.js';
import { GATEWAY_ENTRY, repoRoot, startProcess, type RunningProcess } from '../../support/processes.js';
import { tempDir } from '../../support/tempDirs.js';

async function runGateway(args: string[], env?: Record<string, string>): Promise<{ code: number | null; stderr: string; stdoutLines: string[] }> {
  const child = await startProcess({ name: 'gateway-cli', entry: GATEWAY_ENTRY, args, waitForReady: false, env });
  const timer = setTimeout(() => child.child.kill('SIGKILL'), 30_000);
  const { code } = await child.exited;
  clearTimeout(timer);
  return { code, stderr: child.stderrText(), stdoutLines: child.stdoutLines() };
}

function assertOneLineError(result: { code: number | null; stderr: string }, pattern: RegExp): void {
  assert.equal(result.code, 2, `exit code, stderr: ${result.stderr}`);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line: ${result.stderr}`);
  assert.match(lines[0]!, /^gateway: /);
  assert.match(lines[0]!, pattern);
}

describe('gateway CLI errors', () => {
  let dir: string;
  let validSupergraph: string;
  before(() => {
    dir = tempDir('gw-cli-');
    validSupergraph = join(dir, 'valid.graphql');
    writeFileSync(validSupergraph, composeFixture([{ name: 'slow', url: 'http://subgraph.invalid/graphql', schemaFile: 'test/fixtures/slow-subgraph/schema.graphql' }]));
  }, { timeout: 60_000 });

  // `gateway --port 0`, started once for the next two tests (a refused start is ~0.4 CPU-s): the first
  // waits on it while it runs, the second reads how it exited.
  let withoutSupergraph: Promise<RunningProcess> | undefined;
  const startWithoutSupergraph = () => (withoutSupergraph ??= startProcess({ name: 'gateway-cli', entry: GATEWAY_ENTRY, args: ['--port', '0'], waitForReady: false }));

  // The test support's side of a refused start: a wait for a log line that can no longer come fails as
  // soon as the process has exited, naming the exit (with a 120 s wait, this test's 30 s timeout would
  // fail it otherwise), so a test whose process died early fails at once instead of hanging.
  test('a log wait on a gateway that exits fails at once, naming the exit', { timeout: 30_000 }, async () => {
    const child = await startWithoutSupergraph();
    await assert.rejects(child.waitForLog((record) => record.msg === 'listening', 120_000), /^Error: gateway-cli: exited \(code 2, signal null\) before a matching log line/);
    await assert.rejects(child.waitForLog((record) => record.msg === 'listening', 120_000), /exited \(code 2, signal null\) before a matching log line/, 'a wait begun after the exit fails too');
  });

  test('missing --supergraph', { timeout: 30_000 }, async () => {
    const child = await startWithoutSupergraph();
    const { code } = await child.exited;
    assertOneLineError({ code, stderr: child.stderrText() }, /supergraph/);
  });

  test('a supergraph file that does not exist', { timeout: 30_000 }, async () => {
    assertOneLineError(await runGateway(['--supergraph', join(dir, 'nope.graphql'), '--port', '0']), /cannot read supergraph .*ENOENT/);
  });

  // main.ts reads and parses the file before it loads @apollo/* (supergraph/supergraphText.ts): the same
  // refusal as a full load's, and @apollo/gateway never loads (the module cache at exit).
  test('a file that does not parse is refused before @apollo/* loads', { timeout: 30_000 }, async () => {
    const path = join(dir, 'unparsable.graphql');
    writeFileSync(path, 'type Query { this is not a supergraph');
    const probe = join(repoRoot, 'test/fixtures/loadOrderProbe.cjs');
    const result = await runGateway(['--supergraph', path, '--port', '0'], { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${probe}`.trim() });
    // The message of every load of this file, startup or reload (graphql's syntax error, first lines, one line).
    assertOneLineError(result, /^gateway: invalid supergraph .*unparsable\.graphql: Syntax Error: Expected ":", found Name "is"\.$/);
    const line = result.stdoutLines.find((text) => text.startsWith('{"loadOrderProbe"'));
    assert.ok(line, `the probe reported: ${result.stdoutLines.slice(-3).join('\n')}`);
    const loaded = (JSON.parse(line) as { loadOrderProbe: { gatewayAt: number; federationInternalsAt: number } }).loadOrderProbe;
    assert.deepEqual({ gatewayAt: loaded.gatewayAt, federationInternalsAt: loaded.federationInternalsAt }, { gatewayAt: -1, federationInternalsAt: -1 });
  });

  test('a file that is not a valid supergraph', { timeout: 30_000 }, async () => {
    const path = join(dir, 'invalid.graphql');
    writeFileSync(path, 'type Query { hello: String }');
    assertOneLineError(await runGateway(['--supergraph', path, '--port', '0']), /invalid supergraph/);
  });

  test('a supergraph linking a security feature the gateway does not enforce (fail closed)', { timeout: 30_000 }, async () => {
    const { readFileSync } = await import('node:fs');
    const path = join(dir, 'policy.graphql');
    const sdl = readFileSync(validSupergraph, 'utf8').replace(
      '@link(url: "https://specs.apollo.dev/join/v0.5", for: EXECUTION)',
      '@link(url: "https://specs.apollo.dev/join/v0.5", for: EXECUTION)\n  @link(url: "https://specs.apollo.dev/policy/v0.1", for: SECURITY)',
    );
    assert.notEqual(sdl, readFileSync(validSupergraph, 'utf8'), 'fixture edit applied');
    writeFileSync(path, sdl);
    assertOneLineError(await runGateway(['--supergraph', path, '--port', '0']), /policy\/v0\.1.*does not enforce|does not enforce.*policy/);
  });

  test('a bad port', { timeout: 30_000 }, async () => {
    assertOneLineError(await runGateway(['--supergraph', validSupergraph, '--port', 'eighty']), /--port/);
    assertOneLineError(await runGateway(['--supergraph', validSupergraph, '--port', '70000']), /--port/);
  });

  test('an unknown flag', { timeout: 30_000 }, async () => {
    assertOneLineError(await runGateway(['--supergraph', validSupergraph, '--prot', '4000']), /--prot/);
  });

  // In English: zod's default locale, the one its bundled copy keeps (scripts/bundleEntries.mjs, zodEnglishOnly).
  test('a config value of the wrong type names the key and the expected type', { timeout: 30_000 }, async () => {
    const path = join(dir, 'wrong-type.yaml');
    writeFileSync(path, 'server:\n  port: "4000"\n');
    assertOneLineError(await runGateway(['--supergraph', validSupergraph, '--config', path]), /^gateway: invalid config: server\.port: Invalid input: expected number, received string$/);
  });

  test('a config file with an unknown key names the key', { timeout: 30_000 }, async () => {
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, 'server:\n  prot: 4000\n');
    assertOneLineError(await runGateway(['--supergraph', validSupergraph, '--port', '0', '--config', path]), /server\.prot/);
  });
});
