/**
 * The app's one seam to the local host (docs/architecture.md, "The app-host seam"). A local host
 * publishes its clock and document store on `globalThis[Symbol.for('azure-functions-local-host')]`;
 * the app reads them through this module only, and only when it runs with `CARDFLOW_STORE=local`.
 * In Azure nothing publishes them: the app uses the system clock and Cosmos DB. The types below are
 * what the app needs of the host, declared here so that the app imports nothing from the host.
 */
import type { PartitionKey, QuerySpec, BatchOperation, ContainerDocument } from './container';

/** A document as the local store returns it: the JSON plus system properties (`_etag`, `_ts`, ...). */
export type LocalStoredDocument = { id: string; _etag: string; [property: string]: unknown };

/**
 * An answer of the host's store: a value where the app runs in the host's own thread (SQLite is
 * synchronous), a promise where it runs on one of the host's worker threads (the call goes to the
 * thread that owns the database). A failure is thrown, or rejects the promise.
 */
export type LocalHostAnswer<T> = T | Promise<T>;

/** One container of the host's local document store. */
export interface LocalHostContainer {
  readonly partitionKeyPath: string;
  partitionKeyOf(document: object): LocalHostAnswer<PartitionKey>;
  create(document: ContainerDocument): LocalHostAnswer<LocalStoredDocument>;
  read(id: string, partitionKey: PartitionKey): LocalHostAnswer<LocalStoredDocument | undefined>;
  replace(document: ContainerDocument, options?: { ifMatch?: string }): LocalHostAnswer<LocalStoredDocument>;
  upsert(document: ContainerDocument): LocalHostAnswer<LocalStoredDocument>;
  delete(id: string, partitionKey: PartitionKey, options?: { ifMatch?: string }): LocalHostAnswer<void>;
  batch(partitionKey: PartitionKey, operations: BatchOperation[]): LocalHostAnswer<unknown>;
  query(spec: Partial<QuerySpec>): LocalHostAnswer<LocalStoredDocument[]>;
}

/** The host's document store: containers created on first use, each with a change feed. */
export interface LocalHostDocuments {
  container(database: string, name: string, options: { partitionKeyPath: string }): LocalHostContainer;
}

export interface LocalHost {
  readonly clock: { now(): number };
  readonly documents: LocalHostDocuments;
}

/**
 * The failure a local host's store throws for a request Cosmos DB would refuse; recognised by shape
 * (name and HTTP status), since it is the host's class, not the app's.
 */
export interface LocalHostStoreError extends Error {
  readonly name: 'DocumentStoreError';
  readonly status: number;
  readonly operationIndex?: number;
}

export function isLocalHostStoreError(error: unknown): error is LocalHostStoreError {
  return (
    error instanceof Error &&
    error.name === 'DocumentStoreError' &&
    typeof (error as { status?: unknown }).status === 'number'
  );
}

const SEAM = Symbol.for('azure-functions-local-host');

interface Seam {
  current(): LocalHost | undefined;
}

/** Whether this process runs inside a local host (its seam is installed before the app loads). */
export function runsOnLocalHost(): boolean {
  return typeof (globalThis as { [SEAM]?: Seam })[SEAM]?.current === 'function';
}

/** The local host serving the current invocation; undefined in Azure, or once that host has stopped. */
export function currentLocalHost(): LocalHost | undefined {
  return (globalThis as { [SEAM]?: Seam })[SEAM]?.current();
}
