// Flags and env for the REST backends of a wrapping subgraph (subgraphs/rest-kit/src/restBackendOptions.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_REST_TIMEOUT_MS,
  RestBackendOptionError,
  takeRestBackendOptions,
} from '../../../../subgraphs/rest-kit/src/restBackendOptions.js';

const specs = {
  catalog: { flag: 'catalog', urlEnv: 'CATALOG_URL', timeoutEnv: 'CATALOG_TIMEOUT_MS', defaultUrl: 'http://127.0.0.1:4011' },
};

test('defaults: the npm start port and a timeout of at most 5 s', { timeout: 10_000 }, () => {
  const { backends, remainingArgv } = takeRestBackendOptions(specs, ['--port', '0'], {});
  assert.deepEqual(backends.catalog, { url: 'http://127.0.0.1:4011/', timeoutMs: DEFAULT_REST_TIMEOUT_MS });
  assert.ok(DEFAULT_REST_TIMEOUT_MS <= 5_000);
  assert.deepEqual(remainingArgv, ['--port', '0']);
});

test('env, then flags (both forms) win; the backend flags are removed from the argv left for the kit', { timeout: 10_000 }, () => {
  const env = { CATALOG_URL: 'http://env.invalid:1/api', CATALOG_TIMEOUT_MS: '750' };
  assert.deepEqual(takeRestBackendOptions(specs, [], env).backends.catalog, { url: 'http://env.invalid:1/api/', timeoutMs: 750 });
  const { backends, remainingArgv } = takeRestBackendOptions(
    specs,
    ['--port', '0', '--catalog-url', 'http://flag.invalid:2', '--catalog-timeout-ms=300', '--host', '127.0.0.1'],
    env,
  );
  assert.deepEqual(backends.catalog, { url: 'http://flag.invalid:2/', timeoutMs: 300 });
  assert.deepEqual(remainingArgv, ['--port', '0', '--host', '127.0.0.1']);
});

test('bad values fail with a one-line message naming the source', { timeout: 10_000 }, () => {
  assert.throws(() => takeRestBackendOptions(specs, ['--catalog-url', 'not a url'], {}), (e: unknown) => e instanceof RestBackendOptionError && /--catalog-url/.test(e.message));
  assert.throws(() => takeRestBackendOptions(specs, [], { CATALOG_URL: 'ftp://x.invalid' }), /CATALOG_URL must be an http/);
  assert.throws(() => takeRestBackendOptions(specs, [], { CATALOG_TIMEOUT_MS: '60000' }), /CATALOG_TIMEOUT_MS must be an integer from 1 to 5000/);
  assert.throws(() => takeRestBackendOptions(specs, ['--catalog-timeout-ms', '0'], {}), /--catalog-timeout-ms/);
  assert.throws(() => takeRestBackendOptions(specs, ['--catalog-url'], {}), /needs a value/);
});
