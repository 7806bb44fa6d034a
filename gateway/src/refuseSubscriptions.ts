// Subscriptions are not supported (yet): @apollo/gateway cannot execute them, and without this rule a
// `subscription { … }` reached the executor and came back as HTTP 500 ("schema has no subscription type").
// It is a validation rule, not a plugin hook, so the refusal happens before any policy step runs (Apollo
// Server runs didResolveOperation hooks concurrently: a rate-limit charge there would race a refusal).
// A document that carries a subscription next to other operations is refused as a whole: validation sees
// documents, not the operationName, and a client sending one is using a feature this gateway lacks.
import type { ValidationRule } from 'graphql';
import { gatewayError } from './errors.js';

export const refuseSubscriptionsRule: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (node.operation !== 'subscription') return;
    // Apollo Server reports validation errors as GRAPHQL_VALIDATION_FAILED; maskError restores our code
    // from `originalError` (plugins/errorMasking.ts).
    context.reportError(gatewayError('SUBSCRIPTION_NOT_SUPPORTED', { nodes: node }));
  },
});
