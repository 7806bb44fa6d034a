// JWKS-verified tokens through a REAL gateway (keys served by a node:http server in this test on
// 127.0.0.1), whole-operation rejection (`authorization.rejectUnauthorized`), policy swapped with
// the schema on hot reload, and the production refusal of the dev signing key.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT, base64url, exportJWK, exportSPKI, type CryptoKey, type JWK } from 'jose';
import { stringify as toYaml } from 'yaml';
import { composeSupergraph } from '../../support/composeCache.js';
import { GATEWAY_ENTRY, repoRoot, startProcess, stopAll, type RunningProcess } from '../../support/processes.js';
import { errorCodes, postGraphQL } from '../../support/http.js';
import { listenOnLoopback } from '../../support/loopbackServer.js';
import { testKeyPair } from '../../support/testKeys.js';
import { startSampleSubgraphs, type SampleSubgraphs } from '../../support/sampleGraph.js';
import { tempDir } from '../../support/tempDirs.js';

const ISS = 'https://idp.test.invalid';
const AUD = 'federation-gateway-tests';
let identitySecret: string;
const dir = tempDir('gw-jwks-');
const now = () => Math.floor(Date.now() / 1000);

const signingKeys: Record<string, { privateKey: CryptoKey; publicKey: CryptoKey; jwk: JWK }> = {};
let published: string[] = [];
let jwksDown = false;
/** JWKS fetches refused while `jwksDown`: the event the endpoint-down test waits for. */
let refusedFetches = 0;
/**
 * Until the never-reachable test has run, the endpoint drops every connection unanswered (as an unreachable
 * host does): the gateway starts without keys and that test sees it as a gateway of its own would, without
 * another gateway start (~1.1 CPU-s). Every other test makes sure it is reachable first.
 */
let jwksReachable = false;
let jwksServer: Server;
let sample: SampleSubgraphs;
let users: RunningProcess;
let orders: RunningProcess;
let gateway: RunningProcess;
let url: string;
let supergraphPath: string;

function supergraph(emailPolicy: string): string {
  const sdl = (name: string) => readFileSync(join(repoRoot, 'subgraphs', name, 'schema.graphql'), 'utf8');
  const usersSdl = sdl('users').replace('@requiresScopes(scopes: [["users:read:email"]])', emailPolicy);
  return composeSupergraph([
    { name: 'users', url: 'http://users.invalid/graphql', sdl: usersSdl },
    { name: 'orders', url: 'http://orders.invalid/graphql', sdl: sdl('orders') },
  ]);
}

// A unique jti per token: the gateway caches verified tokens by their string, and these tests are about
// what happens at key lookup, which a repeated token (same claims within one second) would skip.
const token = (kid: string, scopes: string[] = []) =>
  new SignJWT({ scope: scopes.join(' '), jti: randomUUID() })
    .setProtectedHeader({ alg: 'RS256', kid })
    .setSubject('user-1')
    .setIssuer(ISS)
    .setAudience(AUD)
    .setIssuedAt()
    .setExpirationTime(now() + 600)
    .sign(signingKeys[kid]!.privateKey);
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const me = async (t: string) => postGraphQL(url, { query: '{ me { id } }' }, bearer(t));

before(async () => {
  for (const kid of ['k1', 'k2', 'unpublished']) {
    const { publicKey, privateKey } = await testKeyPair(`jwks-${kid}`, 'RS256');
    signingKeys[kid] = { privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
  }
  published = ['k1'];
  jwksServer = createServer((req, res) => {
    if (!jwksReachable) return void req.socket.destroy();
    if (jwksDown) {
      refusedFetches += 1;
      return void res.writeHead(503).end();
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published.map((kid) => signingKeys[kid]!.jwk) }));
  });
  const jwksUrl = `${await listenOnLoopback(jwksServer)}/.well-known/jwks.json`;

  // The sample users and orders subgraphs (shared with the group's other files on them).
  sample = await startSampleSubgraphs();
  ({ users, orders } = sample.subgraphs as { users: RunningProcess; orders: RunningProcess });
  identitySecret = sample.internalIdentitySecret;
  supergraphPath = join(dir, 'supergraph.graphql');
  writeFileSync(supergraphPath, supergraph('@requiresScopes(scopes: [["users:read:email"]])'));
  const configPath = join(dir, 'gateway.yaml');
  writeFileSync(configPath, toYaml({
    subgraphs: { users: { url: `${users.url}/graphql` }, orders: { url: `${orders.url}/graphql` } },
    supergraph: { pollIntervalMs: 100 },
    // Short cache so "endpoint down" is exercised within the test; no cooldown so rotation is immediate.
    auth: { jwt: { key: { type: 'jwks', url: jwksUrl, cacheMaxAgeMs: 300, refetchCooldownMs: 0, timeoutMs: 1000 }, algorithms: ['RS256'], issuer: ISS, audience: AUD } },
    authorization: { rejectUnauthorized: true },
  }));
  gateway = await startProcess({ name: 'gateway-jwks', entry: GATEWAY_ENTRY, args: ['--supergraph', supergraphPath, '--port', '0', '--config', configPath], env: { INTERNAL_IDENTITY_SECRET: identitySecret } });
  url = `${gateway.url}/graphql`;
}, { timeout: 60_000 });

after(async () => {
  await stopAll([gateway]);
  await sample?.stop();
  await new Promise<void>((r) => jwksServer.close(() => r()));
}, { timeout: 60_000 });

describe('JWKS never reachable', () => {
  test('no keys ever fetched → 503 SERVICE_UNAVAILABLE (the token may be valid), not 401', { timeout: 30_000 }, async () => {
    // The gateway has never had a key: its JWKS endpoint has dropped every connection since it started.
    try {
      const response = await me(await token('k1'));
      assert.equal(response.status, 503);
      assert.deepEqual(errorCodes(response), ['SERVICE_UNAVAILABLE']);
      const anonymous = await postGraphQL(url, { query: '{ user(id: "user-1") { id } }' });
      assert.equal(anonymous.status, 200, 'callers without a token are unaffected');
    } finally {
      jwksReachable = true;
    }
  });
});

describe('JWKS', () => {
  before(() => {
    jwksReachable = true;
  }, { timeout: 1_000 });

  test('a token signed with a published key is accepted', { timeout: 30_000 }, async () => {
    const response = await me(await token('k1'));
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.equal(response.body.data?.me?.id, 'user-1');
  });

  test('unknown kid → 401', { timeout: 30_000 }, async () => {
    const response = await me(await token('unpublished'));
    assert.equal(response.status, 401);
    assert.deepEqual(errorCodes(response), ['UNAUTHENTICATED']);
    assert.match(response.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  });

  test('key rotation is picked up without a restart', { timeout: 30_000 }, async () => {
    published = ['k1', 'k2'];
    const response = await me(await token('k2'));
    assert.equal(response.status, 200);
    assert.equal(response.body.data?.me?.id, 'user-1');
  });

  test('JWKS endpoint down: the gateway keeps verifying with the cached keys', { timeout: 30_000 }, async () => {
    // A failure logged from now on (the never-reachable test's are earlier).
    const failureLogged = gateway.waitForNextLog((r) => r.event === 'jwks_fetch_failed', 15_000);
    jwksDown = true;
    try {
      // Requests until one comes after cacheMaxAgeMs and makes the gateway refetch, which the endpoint
      // refuses (the event waited for); every one of them, and those after, still verify with the cached keys.
      const refusedBefore = refusedFetches;
      while (refusedFetches === refusedBefore) assert.equal((await me(await token('k1'))).status, 200);
      for (const kid of ['k1', 'k2']) {
        const response = await me(await token(kid));
        assert.equal(response.status, 200, kid);
      }
      await failureLogged;
    } finally {
      jwksDown = false;
    }
  });

  test('HS/RS confusion: HS256 keyed with the public key is rejected', { timeout: 30_000 }, async () => {
    const pem = await exportSPKI(signingKeys.k1!.publicKey);
    const header = base64url.encode(JSON.stringify({ alg: 'HS256', kid: 'k1' }));
    const payload = base64url.encode(JSON.stringify({ sub: 'user-1', iss: ISS, aud: AUD, exp: now() + 600 }));
    for (const secret of [pem, JSON.stringify(signingKeys.k1!.jwk)]) {
      const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
      const response = await me(`${header}.${payload}.${signature}`);
      assert.equal(response.status, 401);
      assert.deepEqual(errorCodes(response), ['UNAUTHENTICATED']);
    }
  });
});

describe('rejectUnauthorized and hot reload', () => {
  before(() => {
    jwksReachable = true;
  }, { timeout: 1_000 });

  test('an operation touching an unauthorized field is rejected whole: 403 FORBIDDEN', { timeout: 30_000 }, async () => {
    const response = await postGraphQL(url, { query: '{ me { id email } }' }, bearer(await token('k1')));
    assert.equal(response.status, 403);
    assert.deepEqual(errorCodes(response), ['FORBIDDEN']);
    assert.equal(response.body.data, undefined);
    const allowed = await postGraphQL(url, { query: '{ me { id email } }' }, bearer(await token('k1', ['users:read:email'])));
    assert.equal(allowed.status, 200);
  });

  test('a new supergraph brings its own policy with its schema', { timeout: 30_000 }, async () => {
    const reloaded = gateway.waitForNextLog((r) => r.event === 'supergraph_reloaded', 10_000);
    writeFileSync(supergraphPath, supergraph('@requiresScopes(scopes: [["staff"]])'));
    await reloaded;
    const withOldScope = bearer(await token('k1', ['users:read:email']));
    const { status } = await postGraphQL(url, { query: '{ me { email } }' }, withOldScope);
    assert.equal(status, 403, 'users:read:email no longer suffices after the reload');
    const staff = await postGraphQL(url, { query: '{ me { email } }' }, bearer(await token('k1', ['staff'])));
    assert.equal(staff.status, 200);
  });
});

describe('production', () => {
  test('NODE_ENV=production refuses to start with the generated dev key', { timeout: 30_000 }, async () => {
    const configPath = join(dir, 'dev-in-prod.yaml');
    writeFileSync(configPath, toYaml({ auth: { jwt: { key: { type: 'devKey' } } } }));
    const process = await startProcess({
      name: 'gateway-prod', entry: GATEWAY_ENTRY, waitForReady: false,
      args: ['--supergraph', supergraphPath, '--port', '0', '--config', configPath],
      env: { NODE_ENV: 'production', INTERNAL_IDENTITY_SECRET: identitySecret, DEV_AUTH_FILE: join(dir, 'dev-auth.json') },
    });
    const { code } = await process.exited;
    assert.notEqual(code, 0);
    assert.match(process.stderrText(), /auth\.jwt\.key: the generated dev signing key is refused/);
    assert.equal(process.stdoutLines().some((l) => l.includes('"listening"')), false);
  });
});
