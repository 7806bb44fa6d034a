// The processes the tests start get this process's environment less NODE_EXTRA_CA_CERTS (every node start
// parses that bundle; they never use TLS), plus what the test sets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loopbackProcessEnv } from '../../support/processes.js';

test('the environment of a started process: this one less NODE_EXTRA_CA_CERTS, plus the extras', { timeout: 5_000 }, () => {
  const saved = process.env.NODE_EXTRA_CA_CERTS;
  process.env.NODE_EXTRA_CA_CERTS = '/etc/ssl/certs/ca-certificates.crt';
  try {
    const env = loopbackProcessEnv({ NODE_ENV: 'test', LOG_LEVEL: undefined });
    assert.equal('NODE_EXTRA_CA_CERTS' in env, false);
    assert.equal(env.NODE_ENV, 'test');
    assert.equal(env.PATH, process.env.PATH);
    assert.equal(env.LOG_LEVEL, undefined);
    assert.equal(process.env.NODE_EXTRA_CA_CERTS, '/etc/ssl/certs/ca-certificates.crt', "this process's own is left alone");
  } finally {
    if (saved === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
    else process.env.NODE_EXTRA_CA_CERTS = saved;
  }
});
