// The inventory REST service: `tsx services/inventory/src/main.ts [--port N] [--host H]`
// (env INVENTORY_SERVICE_PORT when --port is absent; 4012 under `npm start`; FAULT_INJECTION=1 for tests only).
import { runRestService } from '../../kit/src/restService.js';
import { createInventoryRoutes } from './routes.js';

await runRestService({ name: 'inventory-service', routes: createInventoryRoutes(), portEnv: 'INVENTORY_SERVICE_PORT', defaultPort: 4012 });
