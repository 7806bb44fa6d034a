// The catalog REST service: `tsx services/catalog/src/main.ts [--port N] [--host H]`
// (env CATALOG_PORT when --port is absent; 4011 under `npm start`; FAULT_INJECTION=1 for tests only).
import { runRestService } from '../../kit/src/restService.js';
import { catalogRoutes } from './routes.js';

await runRestService({ name: 'catalog', routes: catalogRoutes, portEnv: 'CATALOG_PORT', defaultPort: 4011 });
