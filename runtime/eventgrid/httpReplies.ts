/** Small HTTP helpers of the local topic: body reading with a size cap, and the two error shapes. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Event Grid's publish limit: a batch of at most 1 MB. */
export const MAX_PUBLISH_BYTES = 1024 * 1024;
// Past this, an oversize body is no longer drained politely but the connection is dropped.
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

/** Reads the body; `tooLarge` when it exceeds `limit` (the rest is drained so the client reads the answer). */
export function readBody(
  req: IncomingMessage,
  limit: number,
): Promise<{ tooLarge: false; body: Buffer } | { tooLarge: true }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > MAX_DRAIN_BYTES) req.destroy();
    });
    req.on('end', () =>
      resolve(size > limit ? { tooLarge: true } : { tooLarge: false, body: Buffer.concat(chunks) }),
    );
    req.on('error', reject);
  });
}

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/**
 * Event Grid's own error body (`{error: {code, message, details}}`, application/json), on the publish
 * route: the publisher SDK parses it and surfaces `message` in its RestError.
 */
export function sendEventGridError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  detailCode = code,
): void {
  send(res, status, 'application/json; charset=utf-8', {
    error: { code, message, details: [{ code: detailCode, message }] },
  });
}

/** RFC 9457 problem details, on the runtime's own routes. */
export function sendProblem(
  res: ServerResponse,
  status: number,
  title: string,
  detail: string,
  headers: Record<string, string> = {},
): void {
  send(res, status, 'application/problem+json', { type: 'about:blank', title, status, detail }, headers);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', body);
}
