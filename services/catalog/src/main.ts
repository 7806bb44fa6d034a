// The catalog REST service: `node services/catalog/dist/main.js --port N [--host H]`
// (env CATALOG_PORT when --port is absent; its `npm start` port is declared in
// subgraphs/products/rest-backends.json; FAULT_INJECTION=1 for tests only).
import { runRestService } from '@federation-gateway/service-kit';
import { catalogRoutes } from './routes.js';

await runRestService({ name: 'catalog', routes: catalogRoutes, portEnv: 'CATALOG_PORT' });
