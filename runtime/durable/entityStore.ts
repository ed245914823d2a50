/**
 * SQLite persistence of durable entities: their state (`durable_entities`) and their operation
 * queues (`durable_entity_ops`). A batch's state change, the operations it consumed, the responses
 * to calling orchestrations and the signals it sends commit in one transaction, so after a crash
 * a batch has either happened entirely or not at all.
 */
import type { Database } from '../sqlite';
import {
  entityInstanceId,
  EntityOperation,
  EntitySnapshot,
  NewEntityOperation,
  parseEntityInstanceId,
} from './entities';
import { historyEvent } from './historyEvents';

export interface EntityRecord extends EntitySnapshot {
  entityId: string;
  name: string;
  key: string;
  createdAt: number;
  updatedAt: number;
}

/** What one entity batch commits. */
export interface EntityBatchCommit {
  entityId: string;
  /** Operations of the entity up to this seq were consumed. */
  consumedUpTo: number;
  after: EntitySnapshot;
  /** Responses to calls: EventRaised inputs for waiting orchestrations. */
  responses: Array<{ instanceId: string; executionId: string; requestId: string; message: string }>;
  signals: NewEntityOperation[];
  now: number;
}

interface EntityRow {
  entity_id: string;
  name: string;
  key: string;
  state: string | null;
  created_at: number;
  updated_at: number;
}

interface OperationRow {
  seq: number;
  entity_id: string;
  operation: string;
  input: string | null;
  is_signal: number;
  request_id: string | null;
  parent_instance_id: string | null;
  parent_execution_id: string | null;
  dequeue_count: number;
}

const toRecord = (row: EntityRow): EntityRecord => ({
  entityId: row.entity_id,
  name: row.name,
  key: row.key,
  exists: true,
  state: row.state,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toOperation = (row: OperationRow): EntityOperation => ({
  seq: row.seq,
  entityId: row.entity_id,
  operation: row.operation,
  input: row.input,
  isSignal: row.is_signal === 1,
  requestId: row.request_id,
  parentInstanceId: row.parent_instance_id,
  parentExecutionId: row.parent_execution_id,
  dequeueCount: row.dequeue_count,
});

const TERMINAL_SQL = `('Completed', 'Failed', 'Terminated', 'Canceled')`;

export class EntityStore {
  private readonly s;

  /** Expects the durable schema to exist (DurableStore migrates it). */
  constructor(private readonly db: Database) {
    this.s = {
      entity: db.prepare(`SELECT * FROM durable_entities WHERE entity_id = ?`),
      upsertEntity:
        db.prepare(`INSERT INTO durable_entities (entity_id, name, key, state, created_at, updated_at)
        VALUES (@entity_id, @name, @key, @state, @now, @now)
        ON CONFLICT (entity_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`),
      deleteEntity: db.prepare(`DELETE FROM durable_entities WHERE entity_id = ?`),
      insertOperation: db.prepare(`INSERT INTO durable_entity_ops
        (entity_id, operation, input, is_signal, request_id, parent_instance_id, parent_execution_id, created_at)
        VALUES (@entity_id, @operation, @input, @is_signal, @request_id, @parent_instance_id, @parent_execution_id, @now)`),
      operations: db.prepare(`SELECT * FROM durable_entity_ops WHERE entity_id = ? ORDER BY seq LIMIT ?`),
      deleteOperationsUpTo: db.prepare(`DELETE FROM durable_entity_ops WHERE entity_id = ? AND seq <= ?`),
      operationsInOrder: db.prepare(`SELECT entity_id FROM durable_entity_ops ORDER BY seq`),
      countDequeue: db.prepare(
        `UPDATE durable_entity_ops SET dequeue_count = dequeue_count + 1 WHERE entity_id = ? AND seq <= ?`,
      ),
      parent: db.prepare(
        `SELECT execution_id FROM durable_instances WHERE instance_id = ? AND status NOT IN ${TERMINAL_SQL}`,
      ),
      insertMessage: db.prepare(
        `INSERT INTO durable_messages (instance_id, execution_id, event_type, event, created_at) VALUES (?, ?, ?, ?, ?)`,
      ),
    };
  }

  get(entityId: string): EntityRecord | undefined {
    const row = this.s.entity.get(entityId) as EntityRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** Queues operations (signals or calls) for their entities. */
  enqueue(ops: NewEntityOperation[], now: number): void {
    if (ops.length === 0) return;
    this.db.transaction(() => {
      for (const op of ops)
        this.s.insertOperation.run({
          entity_id: op.entityId,
          operation: op.operation,
          input: op.input,
          is_signal: op.isSignal ? 1 : 0,
          request_id: op.requestId,
          parent_instance_id: op.parentInstanceId,
          parent_execution_id: op.parentExecutionId,
          now,
        });
    })();
  }

  /** The next operations of one entity, oldest first. */
  pending(entityId: string, limit: number): EntityOperation[] {
    return (this.s.operations.all(entityId, limit) as OperationRow[]).map(toOperation);
  }

  /** Entities with operations waiting, oldest first, skipping those in `busy`. */
  readyEntityIds(limit: number, busy: ReadonlySet<string>): string[] {
    const found = new Set<string>();
    for (const row of this.s.operationsInOrder.iterate() as IterableIterator<{ entity_id: string }>) {
      if (!busy.has(row.entity_id)) found.add(row.entity_id);
      if (found.size >= limit) break;
    }
    return [...found];
  }

  hasRunnableWork(busy: ReadonlySet<string>): boolean {
    return this.readyEntityIds(1, busy).length > 0;
  }

  /** Counts a delivery attempt of the operations up to `seq` (poison handling). */
  countAttempt(entityId: string, upToSeq: number): void {
    this.s.countDequeue.run(entityId, upToSeq);
  }

  /** Commits a batch: the entity's new state, consumed operations, responses and signals. */
  commitBatch(c: EntityBatchCommit): void {
    this.db.transaction(() => {
      const id = parseEntityInstanceId(c.entityId);
      if (!id) throw new Error(`not an entity id: ${c.entityId}`);
      this.s.deleteOperationsUpTo.run(c.entityId, c.consumedUpTo);
      if (c.after.exists)
        this.s.upsertEntity.run({
          entity_id: c.entityId,
          name: id.name,
          key: id.key,
          state: c.after.state,
          now: c.now,
        });
      else this.s.deleteEntity.run(c.entityId);
      for (const r of c.responses) {
        // A caller that finished or moved on to a new execution no longer waits for the answer.
        const parent = this.s.parent.get(r.instanceId) as { execution_id: string } | undefined;
        if (!parent || parent.execution_id !== r.executionId) continue;
        const event = historyEvent.eventRaised(c.now, r.requestId, r.message);
        this.s.insertMessage.run(r.instanceId, r.executionId, event.EventType, JSON.stringify(event), c.now);
      }
      this.enqueue(c.signals, c.now);
    })();
  }

  /**
   * One page of existing entities of a name (all names when undefined), ordered by (name, key);
   * `after` is the last entity id of the previous page.
   */
  list(
    filter: { name?: string; updatedFrom?: number; updatedTo?: number },
    pageSize: number,
    after?: string,
  ): { rows: EntityRecord[]; last?: string } {
    const where: string[] = [];
    const params: Array<string | number> = [];
    if (filter.name !== undefined) {
      where.push('name = ?');
      params.push(filter.name.toLowerCase());
    }
    if (filter.updatedFrom !== undefined) {
      where.push('updated_at >= ?');
      params.push(filter.updatedFrom);
    }
    if (filter.updatedTo !== undefined) {
      where.push('updated_at <= ?');
      params.push(filter.updatedTo);
    }
    if (after !== undefined) {
      const id = parseEntityInstanceId(after);
      if (id) {
        where.push('(name > ? OR (name = ? AND key > ?))');
        params.push(id.name, id.name, id.key);
      }
    }
    const sql = `SELECT * FROM durable_entities ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY name, key LIMIT ?`;
    const rows = (this.db.prepare(sql).all(...params, pageSize + 1) as EntityRow[]).map(toRecord);
    const page = rows.slice(0, pageSize);
    const last = page[page.length - 1];
    return {
      rows: page,
      ...(rows.length > pageSize && last ? { last: entityInstanceId(last.name, last.key) } : {}),
    };
  }
}
