/**
 * The container model both drivers share (docs/architecture.md, stores): JSON documents with an `id`, a partition
 * key, an etag, single-partition transactional batches and simple queries. The ports are written
 * once over this interface; `stores/cosmos` and `stores/local` adapt Cosmos DB and the local
 * document store to it, mapping their failures to {@link ContainerError} with Cosmos's statuses.
 */
import { StoreError, type StoreErrorCode } from './errors';

export type PartitionKey = string | number | boolean | null;

/** Any JSON object with a string id (the union admits interfaces and object literals alike). */
export type ContainerDocument = { id: string } | { id: string; [property: string]: unknown };

/** A document read back: the stored JSON plus its etag (other system properties are dropped). */
export type ReadDocument<T extends ContainerDocument = ContainerDocument> = T & { _etag: string };

export type BatchOperation =
  | { op: 'create'; document: ContainerDocument }
  | { op: 'upsert'; document: ContainerDocument }
  | { op: 'replace'; document: ContainerDocument; ifMatch?: string }
  | { op: 'delete'; id: string; ifMatch?: string }
  | { op: 'read'; id: string };

export type QueryFilter =
  | { path: string; op: '=' | '!=' | '<' | '<=' | '>' | '>='; value: PartitionKey }
  | { path: string; op: 'in'; value: readonly (string | number)[] };

export interface QuerySpec {
  partitionKey: PartitionKey;
  filters?: QueryFilter[];
  /** A property path like `/version`; default: by id. */
  orderBy?: string;
  descending?: boolean;
  limit?: number;
}

export interface DocumentContainer {
  readonly partitionKeyPath: string;
  read<T extends ContainerDocument>(
    id: string,
    partitionKey: PartitionKey,
  ): Promise<ReadDocument<T> | undefined>;
  /** 409 when the id exists in the partition. */
  create<T extends ContainerDocument>(document: T): Promise<ReadDocument<T>>;
  /** 404 when missing, 412 when `ifMatch` is stale. */
  replace<T extends ContainerDocument>(document: T, ifMatch?: string): Promise<ReadDocument<T>>;
  upsert<T extends ContainerDocument>(document: T): Promise<ReadDocument<T>>;
  /** 404 when missing, 412 when `ifMatch` is stale. */
  delete(id: string, partitionKey: PartitionKey, ifMatch?: string): Promise<void>;
  /** All operations or none; a failure throws the failing operation's status and index. */
  batch(partitionKey: PartitionKey, operations: BatchOperation[]): Promise<void>;
  query<T extends ContainerDocument>(spec: QuerySpec): Promise<ReadDocument<T>[]>;
  /** Every id in the container with its partition key (for bulk deletes). */
  listKeys(partitionKey?: PartitionKey): Promise<Array<{ id: string; partitionKey: PartitionKey }>>;
}

function codeOf(status: number): StoreErrorCode {
  switch (status) {
    case 400:
      return 'invalid_request';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    case 412:
      return 'precondition_failed';
    case 413:
      return 'too_large';
    default:
      return 'store_unavailable';
  }
}

/** A container operation failed with this Cosmos DB status (400, 404, 409, 412, 413, 429, ...). */
export class ContainerError extends StoreError {
  constructor(
    status: number,
    message: string,
    /** For a batch: the failing operation. */
    readonly operationIndex?: number,
    options?: { cause?: unknown },
  ) {
    super(codeOf(status), message, { ...options, status });
    this.name = 'ContainerError';
  }
}

export function hasStatus(error: unknown, ...statuses: number[]): error is ContainerError {
  return error instanceof ContainerError && statuses.includes(error.status);
}

const SYSTEM_PROPERTIES = ['_rid', '_self', '_attachments', '_ts', '_lsn'];

/** Drops system properties except `_etag`. */
export function withoutSystemProperties<T extends ContainerDocument>(document: object): ReadDocument<T> {
  const copy: Record<string, unknown> = { ...document };
  for (const property of SYSTEM_PROPERTIES) delete copy[property];
  return copy as ReadDocument<T>;
}
