/**
 * The container model on the local host's document store (synchronous SQLite, wrapped in promises
 * so callers cannot tell it from Cosmos DB). The container comes through the app-host seam.
 */
import { isLocalHostStoreError, type LocalHostContainer } from '../localHost';
import {
  ContainerError,
  withoutSystemProperties,
  type BatchOperation,
  type ContainerDocument,
  type DocumentContainer,
  type PartitionKey,
  type QuerySpec,
  type ReadDocument,
} from '../container';

// SQLite cannot serve the request now (locked by another process, disk full or failing, file gone),
// or the host closed the database: a store outage, as Cosmos DB's 503, not a bug.
// By code, not instanceof: the app does not import the local host's SqliteError.
const UNAVAILABLE_SQLITE_CODE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|CLOSED)/;

function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && UNAVAILABLE_SQLITE_CODE.test(code);
}

function mapped<T>(run: () => T): Promise<T> {
  try {
    return Promise.resolve(run());
  } catch (error) {
    if (isLocalHostStoreError(error)) {
      return Promise.reject(
        new ContainerError(error.status, error.message, error.operationIndex, { cause: error }),
      );
    }
    if (isUnavailable(error)) {
      const message = `the local store is unavailable: ${(error as Error).message}`;
      return Promise.reject(new ContainerError(503, message, undefined, { cause: error }));
    }
    return Promise.reject(error);
  }
}

export class LocalDocumentContainer implements DocumentContainer {
  constructor(private readonly container: LocalHostContainer) {}

  get partitionKeyPath(): string {
    return this.container.partitionKeyPath;
  }

  read<T extends ContainerDocument>(
    id: string,
    partitionKey: PartitionKey,
  ): Promise<ReadDocument<T> | undefined> {
    return mapped(() => {
      const document = this.container.read(id, partitionKey);
      return document && withoutSystemProperties<T>(document);
    });
  }

  create<T extends ContainerDocument>(document: T): Promise<ReadDocument<T>> {
    return mapped(() => withoutSystemProperties<T>(this.container.create(document)));
  }

  replace<T extends ContainerDocument>(document: T, ifMatch?: string): Promise<ReadDocument<T>> {
    return mapped(() => withoutSystemProperties<T>(this.container.replace(document, { ifMatch })));
  }

  upsert<T extends ContainerDocument>(document: T): Promise<ReadDocument<T>> {
    return mapped(() => withoutSystemProperties<T>(this.container.upsert(document)));
  }

  delete(id: string, partitionKey: PartitionKey, ifMatch?: string): Promise<void> {
    return mapped(() => this.container.delete(id, partitionKey, { ifMatch }));
  }

  batch(partitionKey: PartitionKey, operations: BatchOperation[]): Promise<void> {
    return mapped(() => {
      this.container.batch(partitionKey, operations);
    });
  }

  query<T extends ContainerDocument>(spec: QuerySpec): Promise<ReadDocument<T>[]> {
    return mapped(() => this.container.query(spec).map((d) => withoutSystemProperties<T>(d)));
  }

  listKeys(partitionKey?: PartitionKey): Promise<Array<{ id: string; partitionKey: PartitionKey }>> {
    return mapped(() =>
      this.container
        .query(partitionKey === undefined ? {} : { partitionKey })
        .map((d) => ({ id: d.id, partitionKey: this.container.partitionKeyOf(d) })),
    );
  }
}
