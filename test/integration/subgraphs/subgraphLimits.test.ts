// A subgraph called directly (without the gateway) is bounded too: the kit applies depth, alias, token and
// cost limits of its own before resolving anything, above the gateway's so the gateway's fetches pass.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { errorCodes } from '../../support/http.js';
import { postAsGateway, type GatewayCaller } from '../../support/subgraphRequests.js';
import type { RunningProcess } from '../../support/processes.js';
import { startSampleSubgraphs, type SampleSubgraphs } from '../../support/sampleGraph.js';

/** `orders(first: 1) { id user { orders(first: 1) { … id } } }`, `levels` deep. */
function ordersChain(levels: number): string {
  let selection = 'id';
  for (let level = 0; level < levels; level += 1) selection = `orders(first: 1) { id user { ${selection} } }`;
  return selection;
}

/** An entity fetch as the gateway would send it. */
function entityFetch(levels: number): string {
  return `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { ${ordersChain(levels)} } } }`;
}

describe('subgraph kit operation limits (the orders subgraph as a real process, called directly)', () => {
  let sample: SampleSubgraphs;
  let orders: RunningProcess;
  const representations = [{ __typename: 'User', id: 'user-1' }];
  const caller = (): GatewayCaller => ({
    secret: sample.internalIdentitySecret,
    audience: 'orders',
    identity: { subject: 'user-1', scopes: ['orders:read:all'], roles: [], kind: 'user', tier: 'authenticated' },
    requestId: 'limits-test',
  });
  const graphqlUrl = () => `${orders.url}/graphql`;
  const counters = async () => (await (await fetch(`${orders.url}/debug/data-layer-calls`)).json()) as Record<string, number>;

  before(async () => {
    // The sample orders subgraph (with users: the pair the group's files on the sample graph share).
    sample = await startSampleSubgraphs();
    orders = sample.subgraphs.orders!;
  }, { timeout: 60_000 });
  after(async () => sample?.stop(), { timeout: 60_000 });

  test('an entity fetch of gateway depth (8 levels of orders → user, depth 18) is served', { timeout: 30_000 }, async () => {
    const response = await postAsGateway(graphqlUrl(), { query: entityFetch(8), variables: { representations } }, caller());
    assert.equal(response.status, 200, JSON.stringify(response.body.errors));
    assert.equal(response.body.errors, undefined);
  });

  test('deeper than maxDepth (20): 400 before any resolver or data-layer call', { timeout: 30_000 }, async () => {
    const before = await counters();
    const response = await postAsGateway(graphqlUrl(), { query: entityFetch(10), variables: { representations } }, caller());
    assert.equal(response.status, 400);
    assert.deepEqual(errorCodes(response), ['GRAPHQL_VALIDATION_FAILED']);
    assert.deepEqual(await counters(), before, 'nothing resolved');
  });

  test('introspection counts toward depth (graphql-armor skips it by default)', { timeout: 30_000 }, async () => {
    let selection = 'name';
    for (let level = 0; level < 20; level += 1) selection = `ofType { ${selection} }`;
    const response = await postAsGateway(graphqlUrl(), { query: `{ __schema { types { fields { type { ${selection} } } } } }` }, caller());
    assert.equal(response.status, 400);
    assert.ok(errorCodes(response).every((code) => code === 'GRAPHQL_VALIDATION_FAILED'));
    assert.ok(response.body.errors?.some((error) => /depth/i.test(error.message)), JSON.stringify(response.body.errors));
  });

  test('more than 100 aliases, or more than 20,000 tokens: 400', { timeout: 30_000 }, async () => {
    const aliases = (count: number) => Array.from({ length: count }, (_, i) => `a${i}: _service { sdl }`).join(' ');
    const atLimit = await postAsGateway(graphqlUrl(), { query: `{ ${aliases(100)} }` }, caller());
    assert.equal(atLimit.status, 200);
    const tooManyAliases = await postAsGateway(graphqlUrl(), { query: `{ ${aliases(101)} }` }, caller());
    assert.equal(tooManyAliases.status, 400);
    assert.match(tooManyAliases.body.errors?.[0]?.message ?? '', /aliases/i);
    const tokens = await postAsGateway(graphqlUrl(), { query: `{ ${'__typename '.repeat(20_001)}}` }, caller());
    assert.equal(tokens.status, 400);
    assert.deepEqual(errorCodes(tokens), ['GRAPHQL_PARSE_FAILED']);
  });

  test('over the cost limit (50,000 field selections × literal page sizes): 400, nothing resolved', { timeout: 30_000 }, async () => {
    const pages = 'orders(first: 100) { user { orders(first: 100) { id status createdAt } } }'; // 100 × (1 + 100 × 3) ≈ 30,000
    const one = await postAsGateway(graphqlUrl(), { query: `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { ${pages} } } }`, variables: { representations } }, caller());
    assert.equal(one.status, 200, JSON.stringify(one.body.errors));
    const before = await counters();
    const two = await postAsGateway(
      graphqlUrl(),
      { query: `query ($representations: [_Any!]!) { a: _entities(representations: $representations) { ... on User { ${pages} } } b: _entities(representations: $representations) { ... on User { ${pages} } } }`, variables: { representations } },
      caller(),
    );
    assert.equal(two.status, 400, JSON.stringify(two.body).slice(0, 300));
    assert.match(two.body.errors?.[0]?.message ?? '', /Cost/i);
    assert.deepEqual(await counters(), before, 'nothing resolved');
  });
});
