// CLI entry of the inventory subgraph:
//   node subgraphs/inventory/dist/main.js --port 4004 [--inventory-url URL] [--inventory-timeout-ms N]
// Env fallbacks: INVENTORY_PORT, INTERNAL_IDENTITY_SECRET (required, shared with the gateway), and the
// inventory backend's as declared in ../rest-backends.json (INVENTORY_SERVICE_URL,
// INVENTORY_SERVICE_TIMEOUT_MS; default URL from its `npm start` port, default timeout 2000 ms).
import { runSubgraph } from '@federation-gateway/subgraph-kit';
import { exitOnBadBackendOptions } from '@federation-gateway/rest-kit';
import { createInventorySubgraph } from './inventorySubgraph.js';

const { inventory } = exitOnBadBackendOptions('inventory', new URL('../rest-backends.json', import.meta.url), ['inventory']);
await runSubgraph(createInventorySubgraph(inventory));
