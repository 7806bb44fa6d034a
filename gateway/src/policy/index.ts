// The policy engine's public entry point (package export "@federation-gateway/gateway/policy"): the one
// operation analysis and what reads it, for tools outside the gateway that measure or reuse it (bench).
export { createOperationAnalyzer, type AnalyzedField, type OperationAnalysis, type OperationAnalyzer } from './operationAnalysis.js';
export { buildDemandPolicy, type DemandPolicy } from './demandPolicy.js';
export { demandControlConfigSchema, type DemandControlConfig } from './demandControlConfig.js';
export { createOperationCostModel } from './operationCost.js';
export { countResolved } from './resolvedCounts.js';
export { createAuthorizationRewriter } from '../authorization/removeUnauthorizedFields.js';
export { createPolicyReader } from '../authorization/authorizationPolicy.js';
export { prepareSupergraph } from '../supergraph/securityFeatures.js';
export type { AuthIdentity } from '../auth/authIdentity.js';
