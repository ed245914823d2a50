/** Event Grid's own error answer on the publish route, and its size limit. */
import type { ServerResponse } from 'node:http';
import { sendJson } from '../http/json';

/** Event Grid's publish limit: a batch of at most 1 MB. */
export const MAX_PUBLISH_BYTES = 1024 * 1024;

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
  sendJson(res, status, { error: { code, message, details: [{ code: detailCode, message }] } });
}
