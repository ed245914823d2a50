/**
 * Errors of the local document store. They carry the HTTP status Cosmos DB would answer with, so a
 * driver maps both stores' failures the same way (409 conflict, 412 precondition failed, ...).
 */
export type DocumentStoreErrorCode =
  'bad_request' | 'not_found' | 'conflict' | 'precondition_failed' | 'too_large';

const STATUS: Record<DocumentStoreErrorCode, number> = {
  bad_request: 400,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  too_large: 413,
};

export class DocumentStoreError extends Error {
  readonly status: number;

  constructor(
    readonly code: DocumentStoreErrorCode,
    message: string,
    /** For a failed batch: the index of the operation that failed (the whole batch was rolled back). */
    readonly operationIndex?: number,
  ) {
    super(message);
    this.name = 'DocumentStoreError';
    this.status = STATUS[code];
  }
}
