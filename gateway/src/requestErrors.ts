// The one path of every error the gateway answers with, whichever layer refused the request:
// `report` gives each client-facing error the request ID, counts its code in
// gateway_graphql_errors_total and lists it on the request's access-log line; `send` is the same for a
// request the HTTP layer refuses before GraphQL runs (status, message and headers from errors.ts).
// Three callers, one function:
//   - the HTTP layer (`send`): 404/405/413/415/503, a body that is not a JSON object, an internal error;
//   - the error-reporting plugin (`report`, in willSendResponse): everything Apollo Server's request
//     pipeline answers: parse/validation errors, policy refusals (401/403/429/…), field errors;
//   - the HTTP layer again (`reportOutsidePipeline`), for the few answers Apollo Server gives before its
//     pipeline (and so before any plugin) runs: a failed context (authentication: 401/503), CSRF
//     prevention, a malformed GraphQL request.
// Masking (what a client may see of an error) happens before, in formatError (plugins/errorMasking.ts).
import type { ServerResponse } from 'node:http';
import type { GraphQLFormattedError } from 'graphql';
import type { RequestLogFields } from './context.js';
import { ERRORS, type ErrorCode } from './errors.js';
import type { GatewayMetrics } from './metrics.js';

/** One request, as its errors are recorded: the ID the client sees and the fields of its access-log line. */
export interface RequestErrorScope {
  readonly requestId: string;
  readonly log: RequestLogFields;
}

export interface SendRequestErrorOptions {
  /** Replaces the table's message (client-safe text only). */
  message?: string;
  /** Response headers, e.g. Allow, Retry-After. */
  headers?: Record<string, string>;
}

export interface RequestErrors {
  /** The errors as the client gets them: each with `extensions.requestId`; each code counted and logged. */
  report(scope: RequestErrorScope, errors: readonly GraphQLFormattedError[]): GraphQLFormattedError[];
  /** Answers a request refused before GraphQL runs, with the table's status for `code`. */
  send(res: ServerResponse, scope: RequestErrorScope, code: ErrorCode, options?: SendRequestErrorOptions): void;
  /**
   * A response Apollo Server rendered before its request pipeline ran (no plugin saw its errors): the
   * body with its errors reported. Any other body is returned as it is.
   */
  reportOutsidePipeline(scope: RequestErrorScope, status: number, body: string): string;
}

const INTERNAL_CODE: ErrorCode = 'INTERNAL_SERVER_ERROR';

export function createRequestErrors(metrics: Pick<GatewayMetrics, 'graphqlErrors'>): RequestErrors {
  const report = (scope: RequestErrorScope, errors: readonly GraphQLFormattedError[]): GraphQLFormattedError[] =>
    errors.map((error) => {
      const code = typeof error.extensions?.code === 'string' ? error.extensions.code : INTERNAL_CODE;
      metrics.graphqlErrors.inc({ code });
      scope.log.errorCodes.push(code);
      return { ...error, extensions: { ...error.extensions, code, requestId: scope.requestId } };
    });

  return {
    report,

    send(res, scope, code, options = {}) {
      const [error] = report(scope, [{ message: options.message ?? ERRORS[code].message, extensions: { code } }]);
      const body = JSON.stringify({ errors: [error] });
      res.writeHead(ERRORS[code].status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        ...options.headers,
      });
      res.end(body);
    },

    reportOutsidePipeline(scope, status, body) {
      // The pipeline's error plugin records every error it sees, so an error status with nothing
      // recorded means Apollo Server answered before the pipeline. Those bodies are a few hundred bytes.
      if (status < 400 || scope.log.errorCodes.length > 0) return body;
      let parsed: { errors?: GraphQLFormattedError[] };
      try {
        parsed = JSON.parse(body) as { errors?: GraphQLFormattedError[] };
      } catch {
        return body;
      }
      if (!Array.isArray(parsed.errors)) return body;
      return JSON.stringify({ ...parsed, errors: report(scope, parsed.errors) });
    },
  };
}
