/**
 * The store ports used by activities and handlers (docs/architecture.md, stores). Two drivers implement them:
 * Cosmos DB (`stores/cosmos`) and the local document store (`stores/local`); app code obtains them
 * from `getStores()` in `stores/index.ts` and never knows which one it has.
 */
import type { EventEnvelope } from '../domain/envelope';
import type { DocumentContainer } from './container';

/** What the event store needs of an event: the envelope's shape (domain/envelope.ts satisfies it). */
export interface StoredEvent {
  /** The event id; appends are idempotent on it within a stream. */
  id: string;
  streamId: string;
  /** Position in the stream, from 1. */
  version: number;
  type: string;
  data: unknown;
  metadata: unknown;
  schemaVersion: number;
}

export interface EventStore<E extends StoredEvent = EventEnvelope> {
  /**
   * Appends `events` (versions `expectedVersion + 1`, `+ 2`, ...) to the stream atomically, when the
   * stream is at `expectedVersion` (0 for a new stream); returns the new version.
   * Throws `StreamVersionConflictError` (code `stream_version_conflict`) when it is not.
   * Idempotent on event ids: when every event's id is already in the stream it appends nothing and
   * returns the current version; when only some are, throws code `duplicate_event_id`.
   * At most {@link MAX_EVENTS_PER_APPEND} events per call (a Cosmos DB transactional batch).
   */
  append(streamId: string, expectedVersion: number, events: readonly E[]): Promise<number>;
  /** The stream's events with `version >= fromVersion` (default 1), in version order. */
  readStream(streamId: string, fromVersion?: number): Promise<E[]>;
  /** The stream's current version (0 when it has no events). */
  streamVersion(streamId: string): Promise<number>;
}

/** One transactional batch holds 100 operations; one is the expected-version check. */
export const MAX_EVENTS_PER_APPEND = 99;

export type CommandStatus = 'pending' | 'succeeded' | 'rejected' | 'failed';

/** A command as submitted: its id is derived from type and data (domain/commandId.ts). */
export interface CommandSubmission {
  id: string;
  type: string;
  data: unknown;
  metadata?: Record<string, unknown>;
}

export interface CommandOutcome {
  status: Exclude<CommandStatus, 'pending'>;
  /** A stable reason code (e.g. `insufficient_funds`) for rejected and failed commands. */
  reason?: string;
}

/** How an earlier attempt of a command ended, kept when a rejected command is tried again. */
export interface CommandAttempt {
  status: Exclude<CommandStatus, 'pending'>;
  reason?: string;
  completedAt?: string;
}

export interface CommandRecord extends CommandSubmission {
  status: CommandStatus;
  reason?: string;
  /** ISO-8601 instants (`submittedAt`: when this attempt was submitted). */
  submittedAt: string;
  completedAt?: string;
  /** Which attempt this is (absent: the first); see {@link CommandStore.retry}. */
  attempt?: number;
  /** The outcomes of the earlier attempts, oldest first. */
  previousAttempts?: CommandAttempt[];
}

export interface CommandStore {
  /** Stores a new pending command; `duplicate` when a command with this id exists (nothing changes). */
  submit(command: CommandSubmission): Promise<'created' | 'duplicate'>;
  /** Records the outcome; throws code `not_found` for an unknown command. Returns the updated record. */
  complete(commandId: string, outcome: CommandOutcome): Promise<CommandRecord>;
  get(commandId: string): Promise<CommandRecord | undefined>;
  /**
   * Makes a `rejected` command pending again, as its next attempt (`attempt` + 1, the rejection kept
   * in `previousAttempts`), so the command handler evaluates it against the current state: a
   * refusal is not a duplicate. Any other status is left as it is (a succeeded, failed or pending
   * command stays deduplicated). Returns the record as it now stands; undefined for an unknown command.
   */
  retry(commandId: string): Promise<CommandRecord | undefined>;
}

/**
 * A read-model document: `pk` is its partition (e.g. `account-acc-1`, `approvals`); any other
 * JSON properties (no index signature, so app interfaces satisfy it).
 */
export interface ViewDocument {
  id: string;
  pk: string;
  /** The last event version applied (optional; `expectedVersion` checks compare against it). */
  version?: number;
}

/** A view as read back: the document plus its etag. */
export type StoredView<T extends ViewDocument = ViewDocument> = T & { _etag: string };

export interface ViewWriteCondition {
  /** The stored document's etag must be this (it must exist). */
  ifMatch?: string;
  /** The stored document's `version` must be this; an absent document counts as version 0. */
  expectedVersion?: number;
}

export type ViewFilterValue = string | number | boolean | null;

export interface ViewQuery {
  /** Equality filters on top-level properties. */
  where?: Record<string, ViewFilterValue>;
  /** A top-level property to sort by (default: id). */
  orderBy?: string;
  descending?: boolean;
  limit?: number;
}

export interface Views {
  get<T extends ViewDocument = ViewDocument>(pk: string, id: string): Promise<StoredView<T> | undefined>;
  /**
   * Writes the document (create or replace). With a condition that no longer holds, throws
   * `ViewVersionConflictError` (code `view_version_conflict`) and writes nothing.
   */
  put<T extends ViewDocument>(document: T, condition?: ViewWriteCondition): Promise<StoredView<T>>;
  /** Deletes; false when there was nothing to delete. Conflicts as `put`. */
  delete(pk: string, id: string, condition?: ViewWriteCondition): Promise<boolean>;
  /** The documents of one partition matching the query. */
  query<T extends ViewDocument = ViewDocument>(pk: string, query?: ViewQuery): Promise<StoredView<T>[]>;
  /** Deletes every view (or every view of one partition) before a rebuild; returns how many. */
  deleteAll(pk?: string): Promise<number>;
  /**
   * Resolves true at the next `put`, `delete` or `deleteAll` of that document through these views (this
   * process's), false after `withinMs` without one. Writes from elsewhere (another process, worker
   * or instance, or a container's own client) are not seen, so a caller waiting for a change re-reads
   * after either answer.
   */
  written(pk: string, id: string, withinMs: number): Promise<boolean>;
}

/** The three ports together. */
export interface Stores {
  events: EventStore;
  commands: CommandStore;
  views: Views;
}

/** What the drivers and `getStores()` hand out: the ports plus their raw containers (for rebuilds and tools). */
export interface StoreSet extends Stores {
  containers: {
    commands: DocumentContainer;
    events: DocumentContainer;
    views: DocumentContainer;
  };
}
