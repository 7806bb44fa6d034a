// Introspection is bounded in depth when it is on (graphql-armor's depth rule skips introspection fields):
// graphql-js's full introspection query (what GraphiQL and codegen tools send) passes; a 100-level
// `ofType` chain is a 400 before anything runs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getIntrospectionQuery } from 'graphql';
import { SHARED_FIXTURE_GATEWAYS, startFixtureGateway, startSlowSubgraph } from '../../support/fixtureSupergraph.js';
import { errorCodes, postGraphQL } from '../../support/http.js';
import { stopAll, type RunningProcess } from '../../support/processes.js';

/** `{ __schema { types { fields { type { ofType { … } } } } } }` nested `depth` levels below __schema. */
function deepIntrospection(depth: number): string {
  const ofTypes = depth - 5; // __schema, types, fields, type, then the ofType chain, then name
  return `{ __schema { types { fields { type { ${'ofType { '.repeat(ofTypes)}name${' }'.repeat(ofTypes)} } } } } }`;
}

describe('introspection depth', () => {
  let subgraph: RunningProcess;
  let gateway: RunningProcess;
  let graphqlUrl: string;

  before(async () => {
    subgraph = await startSlowSubgraph();
    // Development defaults: introspection on, its depth limit at the default (20).
    ({ gateway, graphqlUrl } = await startFixtureGateway({ subgraphUrl: `${subgraph.url}/graphql`, ...SHARED_FIXTURE_GATEWAYS.development, share: true }));
  }, { timeout: 60_000 });
  after(async () => stopAll([gateway, subgraph]), { timeout: 60_000 });

  test('the full introspection query (15 deep, every option on) is answered', { timeout: 30_000 }, async () => {
    const query = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true });
    const response = await postGraphQL(graphqlUrl, { query });
    assert.equal(response.status, 200, JSON.stringify(response.body.errors));
    assert.ok(Array.isArray(response.body.data?.__schema?.types));
  });

  test('100 levels deep → 400 GRAPHQL_VALIDATION_FAILED naming the limit; 20 (the default limit) passes', { timeout: 30_000 }, async () => {
    const deep = await postGraphQL(graphqlUrl, { query: deepIntrospection(100) });
    assert.equal(deep.status, 400);
    assert.deepEqual(errorCodes(deep), ['GRAPHQL_VALIDATION_FAILED']);
    assert.equal(deep.body.errors?.[0]?.extensions?.limit, 20);
    assert.match(deep.body.errors?.[0]?.message ?? '', /maxIntrospectionDepth/);
    assert.equal((await postGraphQL(graphqlUrl, { query: deepIntrospection(21) })).status, 400);
    const atLimit = await postGraphQL(graphqlUrl, { query: deepIntrospection(20) });
    assert.equal(atLimit.status, 200, JSON.stringify(atLimit.body.errors));
    const ok = await postGraphQL(graphqlUrl, { query: '{ ping }' });
    assert.deepEqual(ok.body.data, { ping: 'pong' });
  });
});
