/** The one request body reader of the host: buffers a body up to a limit. */
import type { IncomingMessage } from 'node:http';

export type BodyRead = { tooLarge: false; body: Buffer } | { tooLarge: true };

// Past the limit by this much, the rest is no longer discarded politely: the connection is dropped.
const MAX_DISCARDED_BYTES = 64 * 1024 * 1024;

/**
 * Reads the request body. Once it exceeds `limit` it resolves `tooLarge` at once, so the caller can
 * answer 413 while the rest of the body is read and thrown away (the client then reads the answer).
 * Rejects when the request fails.
 *
 * @example
 * const read = await readBody(req, 1024 * 1024);
 * if (read.tooLarge) return sendProblem(res, { status: 413, title: 'Content Too Large' });
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyRead> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      chunks.length = 0;
      discardRest(req, size - limit);
      resolve({ tooLarge: true });
    };
    req.on('data', onData);
    req.on('end', () => resolve({ tooLarge: false, body: Buffer.concat(chunks) }));
    req.on('error', reject);
  });
}

function discardRest(req: IncomingMessage, alreadyOver: number): void {
  let discarded = alreadyOver;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > MAX_DISCARDED_BYTES) req.destroy();
  });
  req.resume();
}
