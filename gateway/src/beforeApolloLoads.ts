// What must run before anything loads @apollo/*, in this order. Imported first by server.ts and federation.ts,
// the modules that load @apollo/* (gatewayProcess.ts imports server.ts only in a process that serves GraphQL:
// a cluster primary never loads @apollo/*).
// First: stand-ins for what @apollo/* requires at load and this gateway does not use at startup (see the file).
import './deferredApolloDependencies.js';
// Then plain re-exports of @apollo/federation-internals and the query planner (see the file for why).
import './plainFederationExports.js';
// And @apollo/gateway's Apollo-telemetry modules, loaded only if used (see the file).
import './deferredApolloTelemetry.js';
