// CLI entry of the products subgraph:
//   tsx subgraphs/products/src/main.ts --port 4003 [--catalog-url URL] [--catalog-timeout-ms N]
// Env fallbacks: PRODUCTS_PORT, CATALOG_URL (default http://127.0.0.1:4011), CATALOG_TIMEOUT_MS (default 2000),
// INTERNAL_IDENTITY_SECRET (required, shared with the gateway).
import { runSubgraph } from '../../kit/src/runSubgraph.js';
import { exitOnBadBackendOptions } from '../../rest-kit/src/restSubgraphCli.js';
import { createProductsSubgraph } from './productsSubgraph.js';

const { catalog } = exitOnBadBackendOptions('products', {
  catalog: { flag: 'catalog', urlEnv: 'CATALOG_URL', timeoutEnv: 'CATALOG_TIMEOUT_MS', defaultUrl: 'http://127.0.0.1:4011' },
});
await runSubgraph(createProductsSubgraph(catalog));
