/**
 * Errors of the store ports. Each carries a stable `code` (for logs, problem+json bodies and
 * callers' `switch`) and the HTTP status it maps to; the message is for people.
 */
export type StoreErrorCode =
  | 'stream_version_conflict'
  | 'duplicate_event_id'
  | 'invalid_events'
  | 'view_version_conflict'
  | 'not_found'
  | 'invalid_request'
  | 'conflict'
  | 'precondition_failed'
  | 'too_large'
  | 'store_unavailable';

const STATUS: Record<StoreErrorCode, number> = {
  stream_version_conflict: 409,
  duplicate_event_id: 409,
  invalid_events: 400,
  view_version_conflict: 409,
  not_found: 404,
  invalid_request: 400,
  conflict: 409,
  precondition_failed: 412,
  too_large: 413,
  store_unavailable: 503,
};

export class StoreError extends Error {
  readonly status: number;

  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options);
    this.name = 'StoreError';
    this.status = options?.status ?? STATUS[code];
  }
}

/** An append's expected version was not the stream's version (another writer got there first). */
export class StreamVersionConflictError extends StoreError {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super(
      'stream_version_conflict',
      `stream ${streamId} is at version ${actualVersion}, not the expected ${expectedVersion}`,
    );
    this.name = 'StreamVersionConflictError';
  }
}

/** A view write's expected version or etag no longer matches the stored document. */
export class ViewVersionConflictError extends StoreError {
  constructor(
    readonly pk: string,
    readonly id: string,
    detail: string,
  ) {
    super('view_version_conflict', `view ${pk}/${id}: ${detail}`);
    this.name = 'ViewVersionConflictError';
  }
}

export function isStoreError(error: unknown, code?: StoreErrorCode): error is StoreError {
  return error instanceof StoreError && (code === undefined || error.code === code);
}
