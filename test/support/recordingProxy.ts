// A pass-through HTTP proxy in front of a real subgraph that records what the subgraph receives (request
// bodies) and answers (response sizes), so tests can assert on the bytes on the wire between the gateway
// and a subgraph, e.g. how many entity representations one `_entities` fetch carried.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedExchange {
  /** The request body exactly as the subgraph received it. */
  requestBody: string;
  /** The request headers the gateway sent (lower-case names). */
  requestHeaders: Record<string, string | string[] | undefined>;
  /** The subgraph's HTTP status. */
  status: number;
  /** Bytes of the subgraph's answer. */
  responseBytes: number;
}

export interface RecordingProxy {
  /** Base URL, e.g. http://127.0.0.1:40123 (append the subgraph's path). */
  url: string;
  exchanges: RecordedExchange[];
  close(): Promise<void>;
}

/** The `representations` of each `_entities` fetch among `exchanges`, in order. */
export function entityRepresentations(exchanges: readonly RecordedExchange[]): unknown[][] {
  return exchanges.flatMap((exchange) => {
    const body = JSON.parse(exchange.requestBody) as { query?: string; variables?: { representations?: unknown[] } };
    return body.query?.includes('_entities') && Array.isArray(body.variables?.representations) ? [body.variables.representations] : [];
  });
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const exchanges: RecordedExchange[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const requestBody = Buffer.concat(chunks);
    try {
      const upstream = await fetch(`${target}${req.url}`, {
        method: req.method,
        headers: Object.fromEntries(Object.entries(req.headers).filter(([name]) => name !== 'host' && name !== 'content-length')) as Record<string, string>,
        ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body: requestBody }),
      });
      const answer = Buffer.from(await upstream.arrayBuffer());
      exchanges.push({ requestBody: requestBody.toString('utf8'), requestHeaders: req.headers, status: upstream.status, responseBytes: answer.length });
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
      res.end(answer);
    } catch {
      res.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
