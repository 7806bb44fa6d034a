// An `operationName` that names no operation in the document is a request error (400,
// OPERATION_RESOLUTION_FAILURE). Apollo Server leaves this to the executor, and @apollo/gateway's
// executor throws a generic error there, which would surface as a 500.
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context.js';
import { gatewayError } from '../errors.js';

export function createOperationResolutionPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request }) {
          if (operation) return;
          throw gatewayError('OPERATION_RESOLUTION_FAILURE', {
            message: request.operationName
              ? `Unknown operation named "${request.operationName}".`
              : 'The document has several operations: name the one to run in operationName.',
          });
        },
      };
    },
  };
}
