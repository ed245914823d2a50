/**
 * The local document store: Cosmos DB's container model on the host's SQLite database.
 *
 * A container holds JSON documents addressed by (partition key value, id). Every write stamps the
 * document with a new `_etag`, `_ts` (seconds) and `_lsn`, a per-container sequence number that
 * only grows; the change feed is "documents with `_lsn` above a continuation, in `_lsn` order",
 * which yields the latest version of each changed document, as Cosmos DB's latest-version mode does.
 * Tables are prefixed `doc_`. All calls are synchronous (SQLite through runtime/sqlite.ts); writes
 * commit before returning and then wake change-feed readers through {@link onDocumentChange}.
 *
 * @example
 * const store = new LocalDocumentStore(new Database(':memory:'));
 * const events = store.container('cardflow', 'events', { partitionKeyPath: '/streamId' });
 * const doc = events.create({ id: 'a:1', streamId: 'a' });
 * events.replace({ ...doc, note: 'x' }, { ifMatch: doc._etag });
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { BindValue, Database, Statement } from '../sqlite';
import { RealClock, type Clock } from '../clock';
import { DocumentStoreError } from './errors';

export type PartitionKeyValue = string | number | boolean | null;

/** A document as stored: the caller's JSON plus the system properties. */
export interface StoredDocument {
  id: string;
  _etag: string;
  _ts: number;
  _lsn: number;
  [property: string]: unknown;
}

/**
 * What callers write: any JSON object with a string id (system properties are ignored). The union
 * admits both interfaces (no index signature) and object literals (extra properties).
 */
export type DocumentInput = { id: string } | { id: string; [property: string]: unknown };

export interface WriteOptions {
  /** The etag the current document must have, or 412. */
  ifMatch?: string;
}

export type BatchOperation =
  | { op: 'create'; document: DocumentInput }
  | { op: 'upsert'; document: DocumentInput; ifMatch?: string }
  | { op: 'replace'; document: DocumentInput; ifMatch?: string }
  | { op: 'delete'; id: string; ifMatch?: string }
  | { op: 'read'; id: string };

export interface BatchResult {
  status: number;
  document?: StoredDocument;
}

export type FilterOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type QueryFilter =
  | {
      /** A property path like `/status` or `/owner/name`. */
      path: string;
      op: FilterOperator;
      value: PartitionKeyValue;
    }
  | { path: string; op: 'in'; value: readonly (string | number)[] };

export interface QuerySpec {
  /** Restricts the query to one partition; omitted means all partitions. */
  partitionKey?: PartitionKeyValue;
  filters?: QueryFilter[];
  /** Sort by this property path (default: by id). */
  orderBy?: string;
  descending?: boolean;
  limit?: number;
}

export interface ContainerOptions {
  /** The partition key path, e.g. `/streamId` (default `/id`). */
  partitionKeyPath?: string;
}

/** Cosmos DB's item size limit. */
const MAX_DOCUMENT_BYTES = 2 * 1024 * 1024;
/** Cosmos DB's transactional batch limit. */
export const MAX_BATCH_OPERATIONS = 100;
const SYSTEM_PROPERTIES = ['_etag', '_ts', '_lsn', '_rid', '_self', '_attachments'];
const PATH_SEGMENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

// On globalThis so that every copy of this module in the process shares them (as localDatabase.ts
// does): a write through another copy of the host (its build beside its sources) still wakes the
// trigger at once, instead of being noticed by polling.
const NOTIFIERS = Symbol.for('azure-functions-local-host.documentChangeNotifiers');
const notifiers = ((globalThis as { [NOTIFIERS]?: WeakMap<Database, EventEmitter> })[NOTIFIERS] ??=
  new WeakMap<Database, EventEmitter>());

function notifierOf(db: Database): EventEmitter {
  let emitter = notifiers.get(db);
  if (!emitter) {
    emitter = new EventEmitter();
    emitter.setMaxListeners(0);
    notifiers.set(db, emitter);
  }
  return emitter;
}

/**
 * Calls `listener(database, container)` after every committed write to any container of this
 * database connection, from any LocalDocumentStore on it. Returns the unsubscribe function.
 */
export function onDocumentChange(
  db: Database,
  listener: (database: string, container: string) => void,
): () => void {
  const emitter = notifierOf(db);
  emitter.on('change', listener);
  return () => emitter.off('change', listener);
}

/** Parses a path like `/a/b` into its segments, or throws 400. */
export function parsePath(path: string): string[] {
  const segments = path.split('/').slice(1);
  if (!path.startsWith('/') || segments.length === 0 || !segments.every((s) => PATH_SEGMENT.test(s))) {
    throw new DocumentStoreError(
      'bad_request',
      `invalid property path '${path}' (expected like /name or /a/b)`,
    );
  }
  return segments;
}

/** Query statements a container keeps prepared (an `in` list of each length is a shape of its own). */
const MAX_QUERY_SHAPES = 64;

/** The query indexes of a connection so far: made, or not to be made on it (read-only, busy). */
const indexesByDatabase = new WeakMap<Database, Map<string, 'made' | 'unavailable'>>();

function indexesOf(db: Database): Map<string, 'made' | 'unavailable'> {
  let made = indexesByDatabase.get(db);
  if (!made) indexesByDatabase.set(db, (made = new Map()));
  return made;
}

function jsonPath(segments: string[]): string {
  return '$' + segments.map((s) => `."${s}"`).join('');
}

interface ItemRow {
  id: string;
  body: string;
  etag: string;
  ts: number;
  lsn: number;
}

interface ContainerRow {
  cid: number;
  pk_path: string;
}

export class LocalDocumentStore {
  private readonly clock: Clock;
  private readonly containers = new Map<string, LocalContainer>();

  constructor(
    readonly db: Database,
    options: { clock?: Clock } = {},
  ) {
    this.clock = options.clock ?? new RealClock();
    db.exec(`
      CREATE TABLE IF NOT EXISTS doc_containers (
        cid INTEGER PRIMARY KEY,
        database TEXT NOT NULL,
        name TEXT NOT NULL,
        pk_path TEXT NOT NULL,
        last_lsn INTEGER NOT NULL DEFAULT 0,
        UNIQUE (database, name)
      );
      CREATE TABLE IF NOT EXISTS doc_items (
        cid INTEGER NOT NULL,
        pk TEXT NOT NULL,
        id TEXT NOT NULL,
        body TEXT NOT NULL,
        etag TEXT NOT NULL,
        ts INTEGER NOT NULL,
        lsn INTEGER NOT NULL,
        PRIMARY KEY (cid, pk, id)
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX IF NOT EXISTS doc_items_by_lsn ON doc_items (cid, lsn);
    `);
  }

  /** The container, created with `options.partitionKeyPath` (default `/id`) when missing. */
  container(database: string, name: string, options: ContainerOptions = {}): LocalContainer {
    const key = `${database}/${name}`;
    const requested = options.partitionKeyPath;
    if (requested !== undefined) parsePath(requested);
    let container = this.containers.get(key) ?? this.load(database, name);
    if (!container) {
      this.db
        .prepare('INSERT OR IGNORE INTO doc_containers (database, name, pk_path) VALUES (?, ?, ?)')
        .run(database, name, requested ?? '/id');
      container = this.load(database, name) as LocalContainer;
    }
    if (requested !== undefined && container.partitionKeyPath !== requested) {
      throw new DocumentStoreError(
        'bad_request',
        `container ${key} is partitioned by ${container.partitionKeyPath}, not ${requested}`,
      );
    }
    return container;
  }

  /** The container if it exists; never creates one. */
  findContainer(database: string, name: string): LocalContainer | undefined {
    return this.containers.get(`${database}/${name}`) ?? this.load(database, name);
  }

  private load(database: string, name: string): LocalContainer | undefined {
    const row = this.db
      .prepare('SELECT cid, pk_path FROM doc_containers WHERE database = ? AND name = ?')
      .get(database, name) as ContainerRow | undefined;
    if (!row) return undefined;
    const container = new LocalContainer(this.db, this.clock, row.cid, database, name, row.pk_path, () =>
      notifierOf(this.db).emit('change', database, name),
    );
    this.containers.set(`${database}/${name}`, container);
    return container;
  }
}

/** One container. Obtain it from {@link LocalDocumentStore.container}. */
export class LocalContainer {
  private readonly pkSegments: string[];
  private readonly statements: ReturnType<LocalContainer['prepare']>;
  private readonly runBatch: (partitionKey: PartitionKeyValue, operations: BatchOperation[]) => BatchResult[];
  private readonly queries = new Map<string, Statement>();
  /** Sequence numbers taken ahead for the batch being applied (see reserveLsns). */
  private reserved: { next: number; last: number } | undefined;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly cid: number,
    readonly database: string,
    readonly name: string,
    readonly partitionKeyPath: string,
    private readonly notify: () => void,
  ) {
    this.pkSegments = parsePath(partitionKeyPath);
    this.statements = this.prepare();
    this.runBatch = db.transaction((partitionKey: PartitionKeyValue, operations: BatchOperation[]) => {
      // One sequence-number update for the whole batch, not one per document it writes.
      const writes = operations.filter((operation) => STAMPED.has(operation.op)).length;
      if (writes > 1) this.reserveLsns(writes);
      try {
        return operations.map((operation, index) => {
          try {
            return this.applyInBatch(partitionKey, operation);
          } catch (error) {
            if (error instanceof DocumentStoreError) {
              throw new DocumentStoreError(error.code, `batch operation ${index}: ${error.message}`, index);
            }
            throw error;
          }
        });
      } finally {
        this.reserved = undefined;
      }
    });
  }

  private prepare() {
    const db = this.db;
    return {
      read: db.prepare('SELECT id, body, etag, ts, lsn FROM doc_items WHERE cid = ? AND pk = ? AND id = ?'),
      // A create that finds the id taken inserts nothing (the primary key decides, no read first).
      create: db.prepare(
        `INSERT INTO doc_items (cid, pk, id, body, etag, ts, lsn) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (cid, pk, id) DO NOTHING`,
      ),
      upsert: db.prepare(
        `INSERT INTO doc_items (cid, pk, id, body, etag, ts, lsn) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (cid, pk, id) DO UPDATE SET body = excluded.body, etag = excluded.etag,
           ts = excluded.ts, lsn = excluded.lsn`,
      ),
      update: db.prepare(
        'UPDATE doc_items SET body = ?, etag = ?, ts = ?, lsn = ? WHERE cid = ? AND pk = ? AND id = ?',
      ),
      remove: db.prepare('DELETE FROM doc_items WHERE cid = ? AND pk = ? AND id = ?'),
      nextLsn: db.prepare(
        'UPDATE doc_containers SET last_lsn = last_lsn + ? WHERE cid = ? RETURNING last_lsn',
      ),
      lastLsn: db.prepare('SELECT last_lsn FROM doc_containers WHERE cid = ?'),
      changes: db.prepare(
        'SELECT id, body, etag, ts, lsn FROM doc_items WHERE cid = ? AND lsn > ? ORDER BY lsn LIMIT ?',
      ),
      countChanges: db.prepare('SELECT count(*) AS n FROM doc_items WHERE cid = ? AND lsn > ?'),
    };
  }

  /** The partition key value of a document (400 when it lacks one). */
  partitionKeyOf(document: object): PartitionKeyValue {
    let value: unknown = document;
    for (const segment of this.pkSegments) {
      value =
        value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[segment] : undefined;
    }
    if (value === undefined || (value !== null && typeof value === 'object')) {
      throw new DocumentStoreError(
        'bad_request',
        `document lacks a partition key value at ${this.partitionKeyPath} (string, number, boolean or null)`,
      );
    }
    return value as PartitionKeyValue;
  }

  /** Creates a document; 409 when its id already exists in its partition. */
  create(document: DocumentInput): StoredDocument {
    return this.write(() => this.insertDocument(this.partitionKeyOf(document), document));
  }

  /** The document, or undefined when there is none. */
  read(id: string, partitionKey: PartitionKeyValue): StoredDocument | undefined {
    const row = this.statements.read.get(this.cid, encodeKey(partitionKey), id) as ItemRow | undefined;
    return row && toDocument(row);
  }

  /** Replaces an existing document; 404 when missing, 412 when `ifMatch` differs from its etag. */
  replace(document: DocumentInput, options: WriteOptions = {}): StoredDocument {
    return this.write(() => this.replaceDocument(this.partitionKeyOf(document), document, options.ifMatch));
  }

  /** Creates or replaces; with `ifMatch`, behaves as replace. */
  upsert(document: DocumentInput, options: WriteOptions = {}): StoredDocument {
    return this.write(() => this.upsertDocument(this.partitionKeyOf(document), document, options.ifMatch));
  }

  /** Deletes a document; 404 when missing, 412 when `ifMatch` differs from its etag. */
  delete(id: string, partitionKey: PartitionKeyValue, options: WriteOptions = {}): void {
    this.db.transaction(() => this.deleteDocument(partitionKey, id, options.ifMatch))();
  }

  /**
   * Runs the operations in order as one transaction within one partition: all apply or none do.
   * A failure throws the failing operation's error with its `operationIndex`.
   */
  batch(partitionKey: PartitionKeyValue, operations: BatchOperation[]): BatchResult[] {
    if (operations.length === 0 || operations.length > MAX_BATCH_OPERATIONS) {
      throw new DocumentStoreError('bad_request', `a batch holds 1 to ${MAX_BATCH_OPERATIONS} operations`);
    }
    const results = this.runBatch(partitionKey, operations);
    if (operations.some((o) => o.op !== 'read')) this.notify();
    return results;
  }

  /**
   * Documents matching the query, read into memory. A property a query filters or orders on is
   * indexed per partition from then on (as Cosmos DB indexes every path): one SQLite expression
   * index per path, made at its first query, so a partition's query reads what matches, not the
   * whole partition.
   */
  query(spec: QuerySpec = {}, retried = false): StoredDocument[] {
    // The container's number as a literal: the partial indexes below serve only `cid = <it>`.
    const where = [`cid = ${this.cid}`];
    const params: BindValue[] = [];
    if (spec.partitionKey !== undefined) {
      where.push('pk = ?');
      params.push(encodeKey(spec.partitionKey));
    }
    // In a partition, the first filter that compares its property's value picks the index to read
    // (without statistics SQLite would rather read the whole partition in id order than sort).
    // An equality (`=`, `in`) is read through before a range.
    let equality: string | undefined;
    let range: string | undefined;
    for (const filter of spec.filters ?? []) {
      const { literal: path, name } = this.indexed(filter.path);
      if (filter.op === 'in') {
        const values = filter.value;
        if (!Array.isArray(values) || !values.every((v) => typeof v === 'string' || typeof v === 'number')) {
          throw new DocumentStoreError('bad_request', "'in' takes a list of strings or numbers");
        }
        if (values.length === 0) where.push('0');
        else where.push(`json_extract(body, ${path}) IN (${values.map(() => '?').join(', ')})`);
        if (values.length > 0 && name) equality ??= name;
        params.push(...values);
        continue;
      }
      const { value, op } = filter;
      if (!['=', '!=', '<', '<=', '>', '>='].includes(op)) {
        throw new DocumentStoreError('bad_request', `unknown filter operator '${String(op)}'`);
      }
      if (value === null || typeof value === 'boolean') {
        if (op !== '=' && op !== '!=')
          throw new DocumentStoreError('bad_request', `${op} needs a string or number`);
        where.push(`coalesce(json_type(body, ${path}), '') ${op === '=' ? '=' : '!='} ?`);
        params.push(value === null ? 'null' : String(value));
      } else if (typeof value === 'number' || typeof value === 'string') {
        // Compare only values of the same JSON type, as Cosmos DB does.
        const types = typeof value === 'number' ? "('integer','real')" : "('text')";
        where.push(`json_type(body, ${path}) IN ${types} AND json_extract(body, ${path}) ${op} ?`);
        params.push(value);
        if (op !== '!=' && name) {
          if (op === '=') equality ??= name;
          else range ??= name;
        }
      } else {
        throw new DocumentStoreError('bad_request', 'filter values are strings, numbers, booleans or null');
      }
    }
    const index = spec.partitionKey !== undefined ? (equality ?? range) : undefined;
    const from = index ? `doc_items INDEXED BY "${index}"` : 'doc_items';
    let sql = `SELECT id, body, etag, ts, lsn FROM ${from} WHERE ${where.join(' AND ')}`;
    if (spec.orderBy !== undefined) {
      sql += ` ORDER BY json_extract(body, ${this.indexed(spec.orderBy).literal}) ${spec.descending ? 'DESC' : 'ASC'}, id`;
    } else {
      sql += ` ORDER BY id ${spec.descending ? 'DESC' : 'ASC'}`;
    }
    if (spec.limit !== undefined) {
      if (!Number.isInteger(spec.limit) || spec.limit < 0)
        throw new DocumentStoreError('bad_request', 'bad limit');
      sql += ' LIMIT ?';
      params.push(spec.limit);
    }
    try {
      return (this.queryStatement(sql).all(...params) as ItemRow[]).map(toDocument);
    } catch (error) {
      // An index made in a transaction that was rolled back since is gone: made again, once.
      if (retried || !index || !/no such index/i.test(String((error as Error).message))) throw error;
      indexesOf(this.db).clear();
      this.queries.clear();
      return this.query(spec, true);
    }
  }

  /**
   * The SQL literal of `path`'s JSON path and its index's name, the index made if this is its first query. The literal
   * is written into the statement (an expression index serves only the same expression, never a
   * bound parameter); it is safe there, for a path's segments are plain identifiers (parsePath).
   */
  private indexed(path: string): { literal: string; name: string | undefined } {
    const segments = parsePath(path);
    const literal = `'${jsonPath(segments)}'`;
    // Partial, one per container and path: only this container's writes pay for it. Quoted, so
    // any path names one index.
    const name = `doc_items_by_/${segments.join('/')}@${this.cid}`;
    const made = indexesOf(this.db);
    let state = made.get(name);
    if (state === undefined) {
      try {
        this.db.exec(
          `CREATE INDEX IF NOT EXISTS "${name}" ON doc_items (pk, json_extract(body, ${literal})) WHERE cid = ${this.cid}`,
        );
        state = 'made';
      } catch {
        // A read-only connection, or another connection writing: queried without it, as before.
        state = 'unavailable';
      }
      made.set(name, state);
    }
    return { literal, name: state === 'made' ? name : undefined };
  }

  /** A prepared statement per query shape (a few per container), not one per query. */
  private queryStatement(sql: string): Statement {
    let statement = this.queries.get(sql);
    if (!statement) {
      if (this.queries.size >= MAX_QUERY_SHAPES) this.queries.clear();
      statement = this.db.prepare(sql);
      this.queries.set(sql, statement);
    }
    return statement;
  }

  /** The change feed: up to `maxItems` documents changed after `afterLsn`, in `_lsn` order, latest versions. */
  readChanges(afterLsn: number, maxItems: number): StoredDocument[] {
    return (this.statements.changes.all(this.cid, afterLsn, maxItems) as ItemRow[]).map(toDocument);
  }

  /** How many documents changed after `afterLsn` (the change feed's backlog). */
  countChanges(afterLsn: number): number {
    return (this.statements.countChanges.get(this.cid, afterLsn) as { n: number }).n;
  }

  /** The sequence number of the last write (0 for a fresh container). */
  lastLsn(): number {
    return (this.statements.lastLsn.get(this.cid) as { last_lsn: number }).last_lsn;
  }

  private write(apply: () => StoredDocument): StoredDocument {
    const document = this.db.transaction(apply)();
    this.notify();
    return document;
  }

  private applyInBatch(partitionKey: PartitionKeyValue, operation: BatchOperation): BatchResult {
    const samePartition = (document: DocumentInput): DocumentInput => {
      if (encodeKey(this.partitionKeyOf(document)) !== encodeKey(partitionKey)) {
        throw new DocumentStoreError('bad_request', 'document is not in the batch partition');
      }
      return document;
    };
    switch (operation.op) {
      case 'create':
        return {
          status: 201,
          document: this.insertDocument(partitionKey, samePartition(operation.document)),
        };
      case 'upsert':
        return {
          status: 200,
          document: this.upsertDocument(partitionKey, samePartition(operation.document), operation.ifMatch),
        };
      case 'replace':
        return {
          status: 200,
          document: this.replaceDocument(partitionKey, samePartition(operation.document), operation.ifMatch),
        };
      case 'delete':
        this.deleteDocument(partitionKey, operation.id, operation.ifMatch);
        return { status: 204 };
      case 'read': {
        const document = this.read(operation.id, partitionKey);
        if (!document) throw new DocumentStoreError('not_found', `no document '${operation.id}'`);
        return { status: 200, document };
      }
      default:
        throw new DocumentStoreError('bad_request', `unknown batch operation`);
    }
  }

  private insertDocument(partitionKey: PartitionKeyValue, document: DocumentInput): StoredDocument {
    const { id, body } = serialise(document);
    const key = encodeKey(partitionKey);
    // The sequence number taken for a create that conflicts is given back: the caller's transaction
    // (or savepoint) rolls back when the conflict is thrown.
    const stamp = this.stamp();
    const { changes } = this.statements.create.run(this.cid, key, id, body, stamp.etag, stamp.ts, stamp.lsn);
    if (changes === 0) {
      throw new DocumentStoreError('conflict', `a document with id '${id}' already exists in this partition`);
    }
    return toDocument({ id, body, ...stamp });
  }

  private replaceDocument(
    partitionKey: PartitionKeyValue,
    document: DocumentInput,
    ifMatch?: string,
  ): StoredDocument {
    const { id, body } = serialise(document);
    const key = encodeKey(partitionKey);
    const current = this.statements.read.get(this.cid, key, id) as ItemRow | undefined;
    if (!current) throw new DocumentStoreError('not_found', `no document '${id}' to replace`);
    if (ifMatch !== undefined && ifMatch !== current.etag) {
      throw new DocumentStoreError('precondition_failed', `document '${id}' has changed (etag mismatch)`);
    }
    const stamp = this.stamp();
    this.statements.update.run(body, stamp.etag, stamp.ts, stamp.lsn, this.cid, key, id);
    return toDocument({ id, body, ...stamp });
  }

  private upsertDocument(
    partitionKey: PartitionKeyValue,
    document: DocumentInput,
    ifMatch?: string,
  ): StoredDocument {
    if (ifMatch !== undefined) return this.replaceDocument(partitionKey, document, ifMatch);
    const { id, body } = serialise(document);
    const stamp = this.stamp();
    this.statements.upsert.run(this.cid, encodeKey(partitionKey), id, body, stamp.etag, stamp.ts, stamp.lsn);
    return toDocument({ id, body, ...stamp });
  }

  private deleteDocument(partitionKey: PartitionKeyValue, id: string, ifMatch?: string): void {
    const key = encodeKey(partitionKey);
    const current = this.statements.read.get(this.cid, key, id) as ItemRow | undefined;
    if (!current) throw new DocumentStoreError('not_found', `no document '${id}' to delete`);
    if (ifMatch !== undefined && ifMatch !== current.etag) {
      throw new DocumentStoreError('precondition_failed', `document '${id}' has changed (etag mismatch)`);
    }
    this.statements.remove.run(this.cid, key, id);
  }

  /** Takes the next `count` sequence numbers for the writes of one batch (its transaction's). */
  private reserveLsns(count: number): void {
    const { last_lsn: last } = this.statements.nextLsn.get(count, this.cid) as { last_lsn: number };
    this.reserved = { next: last - count + 1, last };
  }

  private stamp(): { etag: string; ts: number; lsn: number } {
    let lsn: number;
    if (this.reserved && this.reserved.next <= this.reserved.last) lsn = this.reserved.next++;
    else ({ last_lsn: lsn } = this.statements.nextLsn.get(1, this.cid) as { last_lsn: number });
    return { etag: `"${randomUUID()}"`, ts: Math.floor(this.clock.now() / 1000), lsn };
  }
}

/** The batch operations that write a document, each taking a sequence number. */
const STAMPED = new Set<BatchOperation['op']>(['create', 'upsert', 'replace']);

function encodeKey(partitionKey: PartitionKeyValue): string {
  if (partitionKey !== null && !['string', 'number', 'boolean'].includes(typeof partitionKey)) {
    throw new DocumentStoreError('bad_request', 'a partition key value is a string, number, boolean or null');
  }
  return JSON.stringify(partitionKey);
}

const FORBIDDEN_ID_CHARACTERS = /[/\\?#]/;

function serialise(document: DocumentInput): { id: string; body: string } {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new DocumentStoreError('bad_request', 'a document is a JSON object');
  }
  const { id } = document;
  if (typeof id !== 'string' || id.length === 0 || id.length > 255 || FORBIDDEN_ID_CHARACTERS.test(id)) {
    throw new DocumentStoreError('bad_request', `invalid document id (1-255 characters, none of / \\ ? #)`);
  }
  const copy: Record<string, unknown> = { ...(document as Record<string, unknown>) };
  for (const property of SYSTEM_PROPERTIES) delete copy[property];
  const body = JSON.stringify(copy);
  if (Buffer.byteLength(body) > MAX_DOCUMENT_BYTES) {
    throw new DocumentStoreError('too_large', `document '${id}' is larger than 2 MB`);
  }
  return { id, body };
}

function toDocument(row: ItemRow): StoredDocument {
  // The parsed body is a fresh object: the system properties go onto it rather than onto a copy.
  // The body never holds them (serialise drops them), so the keys keep the order a copy had.
  const document = JSON.parse(row.body) as Record<string, unknown>;
  document.id = row.id;
  document._etag = row.etag;
  document._ts = row.ts;
  document._lsn = row.lsn;
  return document as StoredDocument;
}
