/**
 * The one request body reader of the host: buffers a body up to a limit, and stops reading (never
 * buffers, never drains) a body that passes it. The host-wide limit (`FUNCTIONS_REQUEST_BODY_SIZE_LIMIT`,
 * see `bodyLimit.ts`) caps every reader's own limit.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type BodyRead = { tooLarge: false; body: Buffer } | { tooLarge: true; limit: number };

/** The client closed the connection before its request (its body) was complete. */
export class RequestAbortedError extends Error {
  constructor(
    readonly method: string,
    readonly target: string,
  ) {
    super(`the client closed the connection before its request ${method} ${target} was complete`);
    this.name = 'RequestAbortedError';
  }
}

// How long a connection whose request body went unread may stay half-closed (the answer sent, the
// client told, nothing read) before the host drops it.
const DEFAULT_LINGER_MS = 2_000;

const hostLimits = new WeakMap<IncomingMessage, number>();

/** Caps every body read of `req` at `limit` bytes (the pipeline sets the host's limit per request). */
export function capRequestBody(req: IncomingMessage, limit: number): void {
  hostLimits.set(req, limit);
}

/** The limit a read of `req` with its own `limit` obeys. */
export function effectiveLimit(req: IncomingMessage, limit: number): number {
  return Math.min(limit, hostLimits.get(req) ?? Number.POSITIVE_INFINITY);
}

/**
 * Reads the request body. Once it exceeds the limit it resolves `tooLarge` at once and reads no
 * more: the caller answers (413), and the connection is closed once that answer is written (see
 * `closeWhenBodyUnread`). Rejects with `RequestAbortedError` when the client goes away first.
 *
 * @example
 * const read = await readBody(req, 1024 * 1024);
 * if (read.tooLarge) return sendProblem(res, { status: 413, title: 'Content Too Large' });
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyRead> {
  const max = effectiveLimit(req, limit);
  const aborted = (): RequestAbortedError => new RequestAbortedError(req.method ?? 'GET', req.url ?? '/');
  if (req.destroyed && !req.complete) return Promise.reject(aborted());
  if (declaredLength(req) > max) {
    stopReading(req);
    return Promise.resolve({ tooLarge: true, limit: max });
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= max) {
        chunks.push(chunk);
        return;
      }
      chunks.length = 0;
      cleanUp();
      stopReading(req);
      resolve({ tooLarge: true, limit: max });
    };
    const onEnd = (): void => {
      cleanUp();
      resolve({ tooLarge: false, body: Buffer.concat(chunks) });
    };
    const onError = (err: Error): void => {
      cleanUp();
      reject(req.complete ? err : aborted());
    };
    // A request destroyed without an error (the socket closed) ends with 'close' only.
    const onClose = (): void => {
      if (!req.complete) onError(aborted());
    };
    const cleanUp = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** The request's `Content-Length` as a number (0 when absent; Node has already refused a malformed one). */
export function declaredLength(req: IncomingMessage): number {
  const header = req.headers['content-length'];
  return header === undefined ? 0 : Number(header);
}

/**
 * Stops reading `req`'s body: nothing more is taken off the socket (TCP pushes back on the client)
 * and Node does not drain it either once the answer is written.
 */
export function stopReading(req: IncomingMessage): void {
  req.pause();
  // Marks the request as being consumed, so that Node's end-of-response step does not resume it
  // to throw the rest away; paused, the socket is no longer read once Node's small buffer is full.
  req.read(0);
}

/**
 * Closes the connection once `res` is written when `req`'s body has not arrived whole (refused, or
 * never read): the client reads the answer and the end of the connection, and the host reads no
 * more of the body. Install it on every request of a server (the host does).
 */
export function closeWhenBodyUnread(
  req: IncomingMessage,
  res: ServerResponse,
  lingerMs = DEFAULT_LINGER_MS,
): void {
  let unread = false;
  // Before 'finish': that is where Node would start draining an unread body (and drop the TCP back-pressure).
  res.once('prefinish', () => {
    unread = !req.complete;
    if (unread) stopReading(req);
  });
  res.once('finish', () => {
    if (unread) endConnection(req.socket, lingerMs);
  });
}

/** Ends a connection politely (after what is written has gone), dropping it if the client lingers. */
export function endConnection(socket: Socket, lingerMs = DEFAULT_LINGER_MS): void {
  if (socket.destroyed) return;
  socket.end();
  setTimeout(() => socket.destroy(), lingerMs).unref();
}
