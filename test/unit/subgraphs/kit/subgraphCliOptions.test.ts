import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSubgraphCliOptions, SubgraphCliError } from '../../../../subgraphs/kit/src/subgraphCliOptions.js';

const secret = 'a-secret-of-at-least-thirty-two-chars!!';

describe('subgraph CLI options', () => {
  test('flags win over the subgraph env vars; PORT is never read', { timeout: 10_000 }, () => {
    const env = { PORT: '9999', USERS_PORT: '4001', INTERNAL_IDENTITY_SECRET: secret };
    assert.deepEqual(parseSubgraphCliOptions('users', ['--port', '0', '--host', '0.0.0.0'], env), {
      port: 0,
      host: '0.0.0.0',
      allowUnsignedIdentity: false,
      identitySecret: secret,
    });
    assert.equal(parseSubgraphCliOptions('users', [], env).port, 4001);
    assert.equal(parseSubgraphCliOptions('users', [], env).host, '127.0.0.1');
    assert.equal(parseSubgraphCliOptions('order-history', [], { ORDER_HISTORY_PORT: '4100', INTERNAL_IDENTITY_SECRET: secret }).port, 4100);
  });

  test('a missing or bad port is a one-line error', { timeout: 10_000 }, () => {
    assert.throws(() => parseSubgraphCliOptions('users', [], { PORT: '4000', INTERNAL_IDENTITY_SECRET: secret }), /USERS_PORT/);
    assert.throws(() => parseSubgraphCliOptions('users', ['--port', '70000'], { INTERNAL_IDENTITY_SECRET: secret }), SubgraphCliError);
    assert.throws(() => parseSubgraphCliOptions('users', ['--port', 'abc'], { INTERNAL_IDENTITY_SECRET: secret }), SubgraphCliError);
    assert.throws(() => parseSubgraphCliOptions('users', ['--bogus'], { INTERNAL_IDENTITY_SECRET: secret }), SubgraphCliError);
  });

  test('the identity secret is required unless --insecure-allow-unsigned', { timeout: 10_000 }, () => {
    assert.throws(() => parseSubgraphCliOptions('users', ['--port', '0'], {}), /INTERNAL_IDENTITY_SECRET/);
    assert.throws(() => parseSubgraphCliOptions('users', ['--port', '0'], { INTERNAL_IDENTITY_SECRET: 'short' }), /32/);
    const unsigned = parseSubgraphCliOptions('users', ['--port', '0', '--insecure-allow-unsigned'], {});
    assert.equal(unsigned.identitySecret, null);
    assert.equal(unsigned.allowUnsignedIdentity, true);
  });
});
