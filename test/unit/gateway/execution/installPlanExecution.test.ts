// installPlanExecution puts the compiled executor where ApolloGateway's executor reads executeQueryPlan, so a
// real ApolloGateway (in process, LocalGraphQLDataSource subgraphs) runs its plans through it; the
// environment switch leaves stock in place.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { ApolloGateway, LocalGraphQLDataSource } from '@apollo/gateway';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { parse } from 'graphql';
import { installPlanExecution, stockExecution } from '../../../../gateway/src/execution/installPlanExecution.js';
import { DIFFERENTIAL_RESOLVERS, DIFFERENTIAL_SDL } from '../../../support/differentialGraph.js';
import { composeSupergraph } from '../../../support/composeCache.js';

const gatewayRequire = createRequire(createRequire(import.meta.url).resolve('@apollo/gateway'));

describe('installPlanExecution', () => {
  test('GATEWAY_STOCK_PLAN_EXECUTION=1 leaves @apollo/gateway executeQueryPlan alone', { timeout: 10_000 }, () => {
    const module = gatewayRequire('./executeQueryPlan.js') as { executeQueryPlan: unknown };
    const before = module.executeQueryPlan;
    assert.equal(installPlanExecution({ GATEWAY_STOCK_PLAN_EXECUTION: '1' }), undefined);
    assert.equal(module.executeQueryPlan, before);
  });

  test('a real ApolloGateway runs its plans through the compiled executor, once compiled per plan', { timeout: 30_000 }, async () => {
    const executor = installPlanExecution({});
    assert.ok(executor);
    assert.equal(installPlanExecution({}), executor, 'installing twice keeps one executor');
    const module = gatewayRequire('./executeQueryPlan.js') as { executeQueryPlan: unknown };
    assert.equal(module.executeQueryPlan, executor);
    assert.notEqual(stockExecution().stock, executor, 'the original stays reachable for the fallback');

    const gateway = new ApolloGateway({
      supergraphSdl: composeSupergraph(Object.entries(DIFFERENTIAL_SDL).map(([name, sdl]) => ({ name, url: `http://${name}.invalid`, sdl }))),
      buildService: ({ name }) => new LocalGraphQLDataSource(buildSubgraphSchema([{ typeDefs: parse(DIFFERENTIAL_SDL[name]!), resolvers: DIFFERENTIAL_RESOLVERS[name]! }])),
    });
    const { executor: gatewayExecutor } = await gateway.load();
    try {
      const query = '{ products(first: 2) { id title ... on Book { rating shipping } } }';
      const document = parse(query);
      const run = () =>
        gatewayExecutor({
          request: { query },
          document,
          queryHash: 'products-two',
          operationName: null,
          operation: document.definitions[0],
          metrics: {},
          context: {},
          logger: console,
          cache: undefined,
        } as unknown as GatewayGraphQLRequestContext);
      const compiledBefore = executor.compiledPlans;
      const first = await run();
      const second = await run();
      assert.deepEqual(JSON.parse(JSON.stringify(first)), {
        data: {
          products: [
            { id: 'b1', title: 'Dune', rating: 4.5, shipping: 612 },
            { id: 'b2', title: 'Cosmos', rating: null, shipping: null },
          ],
        },
      });
      assert.equal(JSON.stringify(second), JSON.stringify(first));
      assert.equal(executor.compiledPlans, compiledBefore + 1, 'one plan compiled for two requests');
    } finally {
      await gateway.stop();
    }
  });
});
