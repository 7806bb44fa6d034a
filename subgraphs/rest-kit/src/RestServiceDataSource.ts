// The base of every REST data source in the sample graph: @apollo/datasource-rest's RESTDataSource with the
// production defaults it lacks. One instance per GraphQL request (created in the subgraph's createContext),
// so its GET deduplication and HTTP cache are scoped to that request and never serve another caller.
//
// - A per-call timeout (AbortSignal), body included: RESTDataSource has none by default; and the GraphQL
//   request's own signal (context.signal from the subgraph kit), so a call stops when the gateway gives up.
// - Node's fetch (undici, keep-alive pool) instead of the node-fetch default, which opens a connection per call.
// - Every failure becomes a RestCallError (status, timeout, unreachable, malformed body), with the service's
//   JSON error body kept for the error mapping, and without RESTDataSource's default
//   `extensions.response` (URL + raw body), which would leak to clients.
// - No retries, on purpose: RESTDataSource never retries, and neither does this class. A POST such as
//   `POST /reservations` is not idempotent, so retrying it could reserve stock twice; a GET that failed is
//   retried, if at all, by the gateway for the whole query.
import {
  RESTDataSource,
  type AugmentedRequest,
  type DataSourceConfig,
  type DataSourceFetchResult,
  type DataSourceRequest,
} from '@apollo/datasource-rest';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { RestCallError, classifyFetchError } from './restCallError.js';

export interface RestServiceDataSourceOptions {
  /** The service's name in errors and logs, e.g. 'catalog'. */
  service: string;
  /** Base URL ending in '/'. */
  baseURL: string;
  /** Per-call budget in ms, from sending the request to the last byte of the body. */
  timeoutMs: number;
  /** Forwarded as `x-request-id`, so the service's log lines join the gateway's. */
  requestId: string;
  /** Failed calls are logged here (warn), with the URL clients never see. @default no logging */
  logger?: Logger;
  /** The GraphQL request's signal (the kit's `context.signal`): aborting it cancels calls in flight. */
  signal?: AbortSignal;
}

type Fetcher = NonNullable<DataSourceConfig['fetch']>;
type FetcherResponse = DataSourceFetchResult<unknown>['response'];

// Node's fetch satisfies the Fetcher contract at runtime; the types differ only in Headers' shape.
const nodeFetch = globalThis.fetch as unknown as Fetcher;

export abstract class RestServiceDataSource extends RESTDataSource {
  protected readonly service: string;
  private readonly timeoutMs: number;
  private readonly requestId: string;
  private readonly failureLogger: Logger | undefined;
  private readonly requestSignal: AbortSignal | undefined;

  constructor(options: RestServiceDataSourceOptions) {
    super({ fetch: nodeFetch });
    this.baseURL = options.baseURL;
    this.service = options.service;
    this.timeoutMs = options.timeoutMs;
    this.requestId = options.requestId;
    this.failureLogger = options.logger;
    this.requestSignal = options.signal;
  }

  protected override willSendRequest(_path: string, request: AugmentedRequest): void {
    request.headers['x-request-id'] = this.requestId;
    request.headers.accept = 'application/json';
    const deadline = AbortSignal.timeout(this.timeoutMs);
    request.signal = this.requestSignal ? AbortSignal.any([this.requestSignal, deadline]) : deadline;
  }

  /** A 2xx must be JSON (the API's contract); an error status may carry anything (a proxy's HTML page). */
  protected override async parseBody(response: FetcherResponse): Promise<object | string> {
    const contentType = response.headers.get('content-type') ?? '';
    const text = await response.text();
    const isJson = /^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType);
    if (response.status === 304 || response.status === 204 || text === '') {
      if (response.ok && response.status !== 204 && response.status !== 304) {
        throw new RestCallError(this.service, 'response', { kind: 'malformed_body', detail: 'empty body' });
      }
      return text;
    }
    if (!isJson) {
      if (response.ok) {
        throw new RestCallError(this.service, 'response', { kind: 'malformed_body', detail: `content-type "${contentType}" is not JSON` });
      }
      return text;
    }
    try {
      return JSON.parse(text) as object;
    } catch {
      if (response.ok) throw new RestCallError(this.service, 'response', { kind: 'malformed_body', detail: 'invalid JSON' });
      return text;
    }
  }

  protected override async throwIfResponseIsError(options: { url: URL; response: FetcherResponse; parsedBody: unknown }): Promise<void> {
    if (options.response.ok) return;
    throw new RestCallError(this.service, `${options.url.pathname}`, {
      kind: 'status',
      status: options.response.status,
      body: options.parsedBody,
    });
  }

  /** GET and check the body against the API's contract; a body that does not fit is a malformed_body failure. */
  protected async getValidated<Schema extends z.ZodType>(path: string, schema: Schema, params?: Record<string, string | undefined>): Promise<z.infer<Schema>> {
    return this.validated(`GET /${path}`, schema, await this.get<unknown>(path, params ? { params } : {}));
  }

  /** POST a JSON body (never retried, never deduplicated) and check the answer against the contract. */
  protected async postValidated<Schema extends z.ZodType>(path: string, schema: Schema, body: object): Promise<z.infer<Schema>> {
    return this.validated(`POST /${path}`, schema, await this.post<unknown>(path, { body }));
  }

  private validated<Schema extends z.ZodType>(call: string, schema: Schema, body: unknown): z.infer<Schema> {
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new RestCallError(this.service, call, { kind: 'malformed_body', detail: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'unexpected shape'}` });
    }
    return parsed.data;
  }

  override async fetch<TResult>(path: string, request: DataSourceRequest = {}): Promise<DataSourceFetchResult<TResult>> {
    const call = `${request.method ?? 'GET'} /${path.replace(/^\//, '').split('?')[0]}`;
    try {
      return await super.fetch<TResult>(path, request);
    } catch (error) {
      let failed: RestCallError;
      if (error instanceof RestCallError) {
        // Re-label with the call (parseBody does not know it); keep the classified failure.
        failed = error.call === call ? error : new RestCallError(this.service, call, error.failure);
      } else if (this.requestSignal?.aborted) {
        failed = new RestCallError(this.service, call, { kind: 'cancelled' });
      } else {
        const failure = classifyFetchError(error, this.timeoutMs);
        if (failure === undefined) throw error;
        failed = new RestCallError(this.service, call, failure);
      }
      // 4xx answers are the caller's input (mapped to BAD_USER_INPUT, NOT_FOUND, …): not worth a warning;
      // a call cancelled because the gateway gave up is expected too, but worth a line.
      const expected = failed.failure.kind === 'status' && failed.failure.status < 500;
      this.failureLogger?.[expected ? 'debug' : failed.failure.kind === 'cancelled' ? 'info' : 'warn'](
        { requestId: this.requestId, service: this.service, call, baseURL: this.baseURL, failure: failed.failure },
        'REST call failed',
      );
      throw failed;
    }
  }
}
