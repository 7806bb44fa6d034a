// Reading a request body under a size limit, and refusing one over it so that the client actually gets
// the 413. Most clients (Node's fetch, most SDKs) send the whole body without `Expect: 100-continue` and
// only then read the answer: closing the connection while the body is still arriving resets it, and the
// client sees EPIPE/ECONNRESET instead of the 413. So an over-limit body is answered at once and the rest
// of it is read and thrown away, up to `discardBytes` or `discardMs`, whichever comes first; past either,
// the connection is closed (a client sending that much more gets the reset, which bounds what it costs us).
import type { IncomingMessage } from 'node:http';

export interface BodyLimits {
  /** Largest accepted body, in bytes (config `server.maxBodyBytes`). */
  maxBytes: number;
  /** Most bytes of an over-limit body read and discarded before the connection is closed. */
  discardBytes: number;
  /** Longest time spent discarding an over-limit body before the connection is closed, in ms. */
  discardMs: number;
}

export type BodyReadResult = { kind: 'complete'; text: string } | { kind: 'tooLarge' };

/** The declared Content-Length, when there is a valid one. */
export function declaredLength(req: IncomingMessage): number | undefined {
  const declared = Number(req.headers['content-length']);
  return req.headers['content-length'] !== undefined && Number.isSafeInteger(declared) && declared >= 0 ? declared : undefined;
}

/**
 * The whole body as UTF-8, or `tooLarge` as soon as it is known to be over `maxBytes` (declared, or while
 * reading). On `tooLarge` nothing is buffered any further: answer 413, then call discardRestOfBody.
 */
export function readBodyWithin(req: IncomingMessage, maxBytes: number): Promise<BodyReadResult> {
  const declared = declaredLength(req);
  if (declared !== undefined && declared > maxBytes) return Promise.resolve({ kind: 'tooLarge' });
  return new Promise((resolveBody, rejectBody) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      // Stop buffering; the stream stays open (and paused) for discardRestOfBody.
      cleanup();
      req.pause();
      chunks.length = 0;
      resolveBody({ kind: 'tooLarge' });
    };
    const onEnd = () => {
      cleanup();
      resolveBody({ kind: 'complete', text: Buffer.concat(chunks, size).toString('utf8') });
    };
    const onError = (error: Error) => {
      cleanup();
      rejectBody(error);
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/**
 * Reads and drops what is left of an over-limit body (after its 413 was sent), so the client can finish
 * sending and read the answer; closes the connection past `discardBytes` or `discardMs`. Resolves when the
 * body has ended or the connection was closed.
 */
export function discardRestOfBody(req: IncomingMessage, limits: Pick<BodyLimits, 'discardBytes' | 'discardMs'>): Promise<'drained' | 'closed'> {
  return new Promise((resolveDiscard) => {
    if (req.complete) {
      resolveDiscard('drained');
      return;
    }
    let discarded = 0;
    const finish = (outcome: 'drained' | 'closed') => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      if (outcome === 'closed') req.socket?.destroy();
      resolveDiscard(outcome);
    };
    const onData = (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > limits.discardBytes) finish('closed');
    };
    const onEnd = () => finish('drained');
    const onClose = () => finish(req.complete ? 'drained' : 'closed');
    const timer = setTimeout(() => finish('closed'), limits.discardMs);
    timer.unref();
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
    req.resume();
  });
}
