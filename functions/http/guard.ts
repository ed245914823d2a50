/**
 * Wraps an HTTP handler so store failures become problem+json answers with the store's stable code
 * (503 when the store is unavailable) instead of the host's opaque 500. Anything else thrown is a
 * bug: still answered as problem+json (500 `internal_error`, without the details), and logged.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { StoreError } from '../../stores';
import { appLog } from '../../telemetry';
import { problem } from './problem';

export type HttpHandler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

export function guarded(handler: HttpHandler): HttpHandler {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (error) {
      if (!(error instanceof StoreError)) {
        appLog(context).error(`unexpected error on ${request.method} ${request.url}`, {
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        });
        return problem(500, 'internal_error', 'An unexpected error occurred; it has been logged.');
      }
      appLog(context).error(`store error on ${request.method} ${request.url}`, {
        code: error.code,
        error: error.message,
      });
      const status = error.status >= 500 || error.status === 429 ? 503 : error.status;
      return problem(
        status,
        error.code,
        status === 503 ? 'The store is unavailable; try again.' : error.message,
      );
    }
  };
}
