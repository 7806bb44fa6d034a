// @federation-gateway/service-kit: the process shell and HTTP helpers every sample REST service shares.
// A service itself is a list of routes (see services/catalog/src/routes.ts).
export { runRestService, startRestService, type RestServiceDefinition, type RunningRestService } from './restService.js';
export type { Route, RouteContext } from './routeTable.js';
export { HttpError, readJsonBody, sendJson, sendError, MAX_BODY_BYTES, type ErrorBody } from './jsonHttp.js';
export { sendCacheableJson } from './conditionalGet.js';
export { parseQuery, commaList } from './queryParams.js';
export { createServiceLogger } from './serviceLogger.js';
