// The parse and validate phases of a traced request, as spans (Apollo Server's hooks); plan and execute are
// traced around @apollo/gateway's executor (federation.ts). Only in the request path when tracing is on.
// Apollo Server keeps parsed and validated documents in a cache: for an operation it has seen, neither hook
// runs, and the trace truthfully has no parse/validate span.
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context.js';

export function createTracingPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ contextValue }) {
      const trace = contextValue.trace;
      if (!trace) return;
      return {
        async parsingDidStart() {
          trace.startPhase('parse');
          return async (error) => trace.endPhase('parse', error ? [error] : undefined);
        },
        async validationDidStart() {
          trace.startPhase('validate');
          return async (errors) => trace.endPhase('validate', errors);
        },
      };
    },
  };
}
