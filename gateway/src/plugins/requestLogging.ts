// Notes the operation's name and type for the request's one access-log line (the HTTP layer writes
// it when the response finishes, so requests rejected before GraphQL runs are logged too).
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context.js';

export function createRequestLoggingPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ contextValue }) {
      return {
        async didResolveOperation({ operationName, operation }) {
          contextValue.requestLog.operationName = operationName;
          contextValue.requestLog.operationType = operation?.operation;
        },
      };
    },
  };
}
