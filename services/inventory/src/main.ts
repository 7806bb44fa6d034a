// The inventory REST service: `node services/inventory/dist/main.js --port N [--host H]`
// (env INVENTORY_SERVICE_PORT when --port is absent; its `npm start` port is declared in
// subgraphs/inventory/rest-backends.json; FAULT_INJECTION=1 for tests only).
import { runRestService } from '@federation-gateway/service-kit';
import { createInventoryRoutes } from './routes.js';

await runRestService({ name: 'inventory-service', routes: createInventoryRoutes(), portEnv: 'INVENTORY_SERVICE_PORT' });
