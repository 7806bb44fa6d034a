// GET /graphiql (local explorer, assets served by the gateway), GET /graphql/schema.graphql (client
// SDL, the same text as `npm run schema:export`), the Sandbox page's link to the explorer, and all of
// them off in production. Real gateway and subgraph processes over HTTP.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { HOSTILE_GRAPHIQL_HEADER, SHARED_FIXTURE_GATEWAYS, startFixtureGateway, startSlowSubgraph, type FixtureGateway } from '../../support/fixtureSupergraph.js';
import { compiledEntry, GATEWAY_ENTRY, repoRoot, startProcess, stopAll, type RunningProcess } from '../../support/processes.js';

describe('gateway explorer routes (development defaults)', () => {
  let subgraph: RunningProcess | undefined;
  let fixture: FixtureGateway | undefined;
  before(async () => {
    subgraph = await startSlowSubgraph();
    fixture = await startFixtureGateway({
      subgraphUrl: `${subgraph.url}/graphql`,
      // Its GraphiQL default headers: HOSTILE_GRAPHIQL_HEADER.
      ...SHARED_FIXTURE_GATEWAYS.development,
      share: true,
    });
  }, { timeout: 60_000 });
  after(() => stopAll([fixture?.gateway, subgraph]), { timeout: 60_000 });

  test('GET /graphql/schema.graphql is the client SDL, byte for byte what schema:export prints', { timeout: 30_000 }, async () => {
    const response = await fetch(`${fixture!.gateway.url}/graphql/schema.graphql`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    const served = await response.text();
    assert.match(served, /type Query \{/);
    assert.doesNotMatch(served, /join__|link__|@link/);
    // Not spawnSync: blocking this process for seconds keeps fetch's idle keep-alive sockets past the
    // gateway's 5 s keep-alive timeout, and the next request on one of them fails ("other side closed").
    const exported = await promisify(execFile)(process.execPath, [compiledEntry('scripts/dist/schemaExport.js'), '--supergraph', fixture!.supergraphPath], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(exported.stdout, served);
  });

  test('GET /graphiql: a CSP-locked page whose settings cannot break out of their script element', { timeout: 30_000 }, async () => {
    const response = await fetch(`${fixture!.gateway.url}/graphiql`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    const csp = response.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /connect-src 'self'/);
    const html = await response.text();
    assert.match(html, /<script type="module" src="graphiql\/assets\/graphiql.js"><\/script>/);
    assert.ok(!html.includes(HOSTILE_GRAPHIQL_HEADER), 'the header value is escaped');
    assert.ok(html.includes('\\u003c/script>\\u003cscript>alert(1)\\u003c/script>'));
    assert.doesNotMatch(html, /https?:\/\/(?!localhost|127\.0\.0\.1)/, 'no absolute off-host URL in the page');
  });

  test('assets: served with ETag (304 on revalidation) and gzip; only built files; GET/HEAD only', { timeout: 30_000 }, async () => {
    const url = `${fixture!.gateway.url}/graphiql/assets/graphiql.js`;
    const plain = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
    assert.equal(plain.status, 200);
    assert.match(plain.headers.get('content-type') ?? '', /^text\/javascript/);
    const body = Buffer.from(await plain.arrayBuffer());
    assert.ok(body.length > 100_000, 'the bundle (GraphiQL + React + Monaco)');
    const etag = plain.headers.get('etag');
    assert.ok(etag);
    const revalidated = await fetch(url, { headers: { 'if-none-match': etag } });
    assert.equal(revalidated.status, 304);

    const { request } = await import('node:http');
    const gzipped = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolveGet, rejectGet) => {
      request(url, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolveGet({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
      }).on('error', rejectGet).end();
    });
    assert.equal(gzipped.encoding, 'gzip');
    assert.ok(gunzipSync(gzipped.body).equals(body));

    for (const path of ['/graphiql/assets/nope.js', '/graphiql/assets/%2e%2e%2fpackage.json', '/graphiql/assets/..%2F..%2Fpackage.json']) {
      const missing = await fetch(`${fixture!.gateway.url}${path}`);
      assert.equal(missing.status, 404, path);
      assert.equal(((await missing.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code, 'NOT_FOUND_ROUTE');
    }
    const posted = await fetch(`${fixture!.gateway.url}/graphiql`, { method: 'POST' });
    assert.equal(posted.status, 405);
    assert.equal(posted.headers.get('allow'), 'GET, HEAD');
  });

  test('the Sandbox landing page on GET /graphql links the local explorer, without Sandbox telemetry', { timeout: 30_000 }, async () => {
    const response = await fetch(fixture!.graphqlUrl, { headers: { accept: 'text/html' } });
    assert.equal(response.status, 200);
    const html = await response.text();
    assert.match(html, /<a id="local-explorer-link" href="graphiql">/);
    assert.match(html, /"runTelemetry":false/);
  });
});

describe('gateway explorer routes in production', () => {
  let subgraph: RunningProcess | undefined;
  let fixture: FixtureGateway | undefined;
  before(async () => {
    subgraph = await startSlowSubgraph();
    // The fixture subgraph runs unsigned: production then needs the explicit choice to send no identity.
    fixture = await startFixtureGateway({
      subgraphUrl: `${subgraph.url}/graphql`,
      ...SHARED_FIXTURE_GATEWAYS.production,
      share: true,
      name: 'gateway-prod',
    });
  }, { timeout: 60_000 });
  after(() => stopAll([fixture?.gateway, subgraph]), { timeout: 60_000 });

  test('GraphiQL, its assets and the SDL route are off unless configured', { timeout: 30_000 }, async () => {
    for (const path of ['/graphiql', '/graphiql/assets/graphiql.js', '/graphql/schema.graphql']) {
      const response = await fetch(`${fixture!.gateway.url}${path}`);
      assert.equal(response.status, 404, path);
    }
  });

  test('graphiql.enabled without introspection stops startup naming the key', { timeout: 30_000 }, async () => {
    writeFileSync(`${fixture!.dir}/bad.yaml`, 'graphiql:\n  enabled: true\ninternalIdentity:\n  enabled: false\n');
    const gateway = await startProcess({
      name: 'gateway-bad-config',
      entry: GATEWAY_ENTRY,
      args: ['--supergraph', fixture!.supergraphPath, '--port', '0', '--config', `${fixture!.dir}/bad.yaml`],
      env: { NODE_ENV: 'production' },
      waitForReady: false,
    });
    const { code } = await gateway.exited;
    assert.equal(code, 2);
    assert.match(gateway.stderrText(), /graphiql\.enabled/);
  });
});
