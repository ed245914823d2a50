/**
 * The container model on the local host's document store (synchronous SQLite in the host's thread,
 * promises from a worker thread; promises either way, so callers cannot tell it from Cosmos DB).
 * The container comes through the app-host seam.
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

/** The host's answer as a promise, its failures as the container model's errors. */
async function mapped<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isLocalHostStoreError(error))
      throw new ContainerError(error.status, error.message, error.operationIndex, { cause: error });
    if (isUnavailable(error)) {
      const message = `the local store is unavailable: ${(error as Error).message}`;
      throw new ContainerError(503, message, undefined, { cause: error });
    }
    throw error;
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
    return mapped(async () => {
      const document = await this.container.read(id, partitionKey);
      return document && withoutSystemProperties<T>(document);
    });
  }

  create<T extends ContainerDocument>(document: T): Promise<ReadDocument<T>> {
    return mapped(async () => withoutSystemProperties<T>(await this.container.create(document)));
  }

  replace<T extends ContainerDocument>(document: T, ifMatch?: string): Promise<ReadDocument<T>> {
    return mapped(async () =>
      withoutSystemProperties<T>(await this.container.replace(document, { ifMatch })),
    );
  }

  upsert<T extends ContainerDocument>(document: T): Promise<ReadDocument<T>> {
    return mapped(async () => withoutSystemProperties<T>(await this.container.upsert(document)));
  }

  delete(id: string, partitionKey: PartitionKey, ifMatch?: string): Promise<void> {
    return mapped(() => this.container.delete(id, partitionKey, { ifMatch }));
  }

  batch(partitionKey: PartitionKey, operations: BatchOperation[]): Promise<void> {
    return mapped(async () => {
      await this.container.batch(partitionKey, operations);
    });
  }

  query<T extends ContainerDocument>(spec: QuerySpec): Promise<ReadDocument<T>[]> {
    return mapped(async () => (await this.container.query(spec)).map((d) => withoutSystemProperties<T>(d)));
  }

  listKeys(partitionKey?: PartitionKey): Promise<Array<{ id: string; partitionKey: PartitionKey }>> {
    return mapped(async () => {
      const documents = await this.container.query(partitionKey === undefined ? {} : { partitionKey });
      return Promise.all(
        documents.map(async (d) => ({ id: d.id, partitionKey: await this.container.partitionKeyOf(d) })),
      );
    });
  }
}
