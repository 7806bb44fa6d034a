// CLI entry of the products subgraph:
//   node subgraphs/products/dist/main.js --port 4003 [--catalog-url URL] [--catalog-timeout-ms N]
// Env fallbacks: PRODUCTS_PORT, INTERNAL_IDENTITY_SECRET (required, shared with the gateway), and the
// catalog backend's as declared in ../rest-backends.json (CATALOG_URL, CATALOG_TIMEOUT_MS; default URL
// from its `npm start` port, default timeout 2000 ms).
import { runSubgraph } from '@federation-gateway/subgraph-kit';
import { exitOnBadBackendOptions } from '@federation-gateway/rest-kit';
import { createProductsSubgraph } from './productsSubgraph.js';

const { catalog } = exitOnBadBackendOptions('products', new URL('../rest-backends.json', import.meta.url), ['catalog']);
await runSubgraph(createProductsSubgraph(catalog));
