// CLI entry of the inventory subgraph:
//   tsx subgraphs/inventory/src/main.ts --port 4004 [--inventory-url URL] [--inventory-timeout-ms N]
// Env fallbacks: INVENTORY_PORT, INVENTORY_SERVICE_URL (default http://127.0.0.1:4012),
// INVENTORY_SERVICE_TIMEOUT_MS (default 2000), INTERNAL_IDENTITY_SECRET (required, shared with the gateway).
import { runSubgraph } from '../../kit/src/runSubgraph.js';
import { exitOnBadBackendOptions } from '../../rest-kit/src/restSubgraphCli.js';
import { createInventorySubgraph } from './inventorySubgraph.js';

const { inventory } = exitOnBadBackendOptions('inventory', {
  inventory: { flag: 'inventory', urlEnv: 'INVENTORY_SERVICE_URL', timeoutEnv: 'INVENTORY_SERVICE_TIMEOUT_MS', defaultUrl: 'http://127.0.0.1:4012' },
});
await runSubgraph(createInventorySubgraph(inventory));
