// Introspection and GraphiQL: on by default outside production, off in production, and GraphiQL never
// without introspection (the gateway refuses that config before it loads @apollo/*: explorer.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../../gateway/src/config.js';
import { explorerSwitches } from '../../../../gateway/src/explorer/explorerSwitches.js';

test('defaults follow production; an explicit introspection carries GraphiQL with it', { timeout: 10_000 }, () => {
  assert.deepEqual(explorerSwitches({ graphiql: { defaultHeaders: {} } }, false), { introspection: true, graphiqlEnabled: true });
  assert.deepEqual(explorerSwitches({ graphiql: { defaultHeaders: {} } }, true), { introspection: false, graphiqlEnabled: false });
  assert.deepEqual(explorerSwitches({ introspection: true, graphiql: { defaultHeaders: {} } }, true), { introspection: true, graphiqlEnabled: true });
  assert.deepEqual(explorerSwitches({ graphiql: { enabled: false, defaultHeaders: {} } }, false), { introspection: true, graphiqlEnabled: false });
});

test('GraphiQL on with introspection off is a config error naming the key', { timeout: 10_000 }, () => {
  for (const [config, production] of [
    [{ graphiql: { enabled: true, defaultHeaders: {} } }, true],
    [{ introspection: false, graphiql: { enabled: true, defaultHeaders: {} } }, false],
  ] as const) {
    assert.throws(() => explorerSwitches(config, production), (error: Error) => error instanceof ConfigError && /graphiql\.enabled/.test(error.message));
  }
});
