/**
 * The local topic's durable state in the host's SQLite database (tables prefixed `eg_`): accepted
 * events, one delivery row per (event, matching subscription) carrying its retry state, and which
 * webhook endpoints passed the validation handshake. Dead letters are deliveries in state
 * 'deadlettered'.
 */
import type { BindValue, Database, Statement } from '../sqlite';
import type { CloudEventRecord } from './cloudEvents';

export type DeliveryStatus = 'pending' | 'delivered' | 'deadlettered' | 'dropped';

export interface DeliveryRow {
  id: number;
  eventSeq: number;
  topic: string;
  subscription: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number | null;
  /** Start of the time-to-live window: the publish time, or the time of a redelivery. */
  ttlFrom: number;
  publishTime: number;
  lastOutcome: string | null;
  lastHttpStatus: number | null;
  lastAttemptAt: number | null;
  deadLetterReason: string | null;
  event: CloudEventRecord;
}

/** Where a finished attempt leaves a delivery. */
export type AttemptResult =
  | { kind: 'delivered'; outcome: string; httpStatus: number | null; at: number }
  | { kind: 'retry'; outcome: string; httpStatus: number | null; at: number; nextAttemptAt: number }
  | {
      kind: 'deadlettered' | 'dropped';
      outcome: string;
      httpStatus: number | null;
      at: number;
      reason: string;
    };

interface RawRow {
  id: number;
  event_seq: number;
  topic: string;
  subscription: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number | null;
  ttl_from: number;
  publish_time: number;
  last_outcome: string | null;
  last_http_status: number | null;
  last_attempt_at: number | null;
  dead_letter_reason: string | null;
  body: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS eg_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  topic TEXT NOT NULL,
  event_id TEXT NOT NULL,
  body TEXT NOT NULL,
  publish_time INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS eg_deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event_seq INTEGER NOT NULL REFERENCES eg_events(seq),
  subscription TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  ttl_from INTEGER NOT NULL,
  last_outcome TEXT,
  last_http_status INTEGER,
  last_attempt_at INTEGER,
  dead_letter_reason TEXT
);
CREATE INDEX IF NOT EXISTS eg_deliveries_due ON eg_deliveries(status, next_attempt_at);
CREATE TABLE IF NOT EXISTS eg_validated_endpoints (
  subscription TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  validated_at INTEGER NOT NULL,
  PRIMARY KEY (subscription, endpoint)
);
`;

const SELECT = `SELECT d.*, e.topic, e.body, e.publish_time FROM eg_deliveries d JOIN eg_events e ON e.seq = d.event_seq`;

function toRow(raw: RawRow): DeliveryRow {
  return {
    id: raw.id,
    eventSeq: raw.event_seq,
    topic: raw.topic,
    subscription: raw.subscription,
    status: raw.status,
    attempts: raw.attempts,
    nextAttemptAt: raw.next_attempt_at,
    ttlFrom: raw.ttl_from,
    publishTime: raw.publish_time,
    lastOutcome: raw.last_outcome,
    lastHttpStatus: raw.last_http_status,
    lastAttemptAt: raw.last_attempt_at,
    deadLetterReason: raw.dead_letter_reason,
    event: JSON.parse(raw.body) as CloudEventRecord,
  };
}

export class DeliveryStore {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Database) {
    db.exec(SCHEMA);
  }

  // Prepared once per SQL text: the delivery loop runs the same few statements many times.
  private statement(sql: string): Statement {
    let prepared = this.statements.get(sql);
    if (!prepared) {
      prepared = this.db.prepare(sql);
      this.statements.set(sql, prepared);
    }
    return prepared;
  }

  /**
   * Stores a published batch and a pending delivery for every (event, subscription) pair that
   * `route` names, in one transaction: either the whole batch is accepted or nothing is.
   */
  accept(
    topic: string,
    events: readonly CloudEventRecord[],
    route: (event: CloudEventRecord) => string[],
    now: number,
  ): number {
    const insertEvent = this.statement(
      'INSERT INTO eg_events (topic, event_id, body, publish_time) VALUES (?, ?, ?, ?)',
    );
    const insertDelivery = this.statement(
      `INSERT INTO eg_deliveries (event_seq, subscription, status, next_attempt_at, ttl_from) VALUES (?, ?, 'pending', ?, ?)`,
    );
    let deliveries = 0;
    this.db.transaction(() => {
      for (const event of events) {
        const seq = Number(insertEvent.run(topic, event.id, JSON.stringify(event), now).lastInsertRowid);
        for (const subscription of route(event)) {
          insertDelivery.run(seq, subscription, now, now);
          deliveries++;
        }
      }
    })();
    return deliveries;
  }

  /** Ids of pending deliveries due at `now`, oldest first. */
  dueIds(now: number, limit: number): number[] {
    const rows = this.statement(
      `SELECT id FROM eg_deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`,
    ).all(now, limit) as Array<{ id: number }>;
    return rows.map((r) => r.id);
  }

  /** When the earliest pending delivery after `now` falls due, if any. */
  nextDueAfter(now: number): number | undefined {
    const row = this.statement(
      `SELECT MIN(next_attempt_at) AS at FROM eg_deliveries WHERE status = 'pending' AND next_attempt_at > ?`,
    ).get(now) as { at: number | null };
    return row.at ?? undefined;
  }

  /** The earliest pending delivery's due time, if any (due or not). */
  nextDue(): number | undefined {
    const row = this.statement(
      `SELECT MIN(next_attempt_at) AS at FROM eg_deliveries WHERE status = 'pending'`,
    ).get() as {
      at: number | null;
    };
    return row.at ?? undefined;
  }

  countDue(now: number): number {
    const row = this.statement(
      `SELECT COUNT(*) AS n FROM eg_deliveries WHERE status = 'pending' AND next_attempt_at <= ?`,
    ).get(now) as { n: number };
    return row.n;
  }

  get(id: number): DeliveryRow | undefined {
    const raw = this.statement(`${SELECT} WHERE d.id = ?`).get(id) as RawRow | undefined;
    return raw ? toRow(raw) : undefined;
  }

  list(filter: { status?: DeliveryStatus; subscription?: string } = {}): DeliveryRow[] {
    const where: string[] = [];
    const params: BindValue[] = [];
    if (filter.status) {
      where.push('d.status = ?');
      params.push(filter.status);
    }
    if (filter.subscription) {
      where.push('d.subscription = ?');
      params.push(filter.subscription);
    }
    const sql = `${SELECT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY d.id`;
    return (this.statement(sql).all(...params) as RawRow[]).map(toRow);
  }

  /** Records one attempt's result (attempts + 1). */
  recordAttempt(id: number, result: AttemptResult): void {
    this.statement(
      `UPDATE eg_deliveries SET attempts = attempts + 1, status = ?, next_attempt_at = ?, last_outcome = ?,
           last_http_status = ?, last_attempt_at = ?, dead_letter_reason = ? WHERE id = ?`,
    ).run(
      result.kind === 'retry' ? 'pending' : result.kind,
      result.kind === 'retry' ? result.nextAttemptAt : null,
      result.outcome,
      result.httpStatus,
      result.at,
      result.kind === 'deadlettered' || result.kind === 'dropped' ? result.reason : null,
      id,
    );
  }

  /** Ends a delivery without an attempt (its time to live ran out while it waited). */
  expire(id: number, status: 'deadlettered' | 'dropped', reason: string): void {
    this.statement(
      `UPDATE eg_deliveries SET status = ?, next_attempt_at = NULL, dead_letter_reason = ? WHERE id = ?`,
    ).run(status, reason, id);
  }

  /** Puts a dead letter back in the queue with fresh attempts and time to live; false unless it was dead-lettered. */
  redeliver(id: number, now: number): boolean {
    const changed = this.statement(
      `UPDATE eg_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, ttl_from = ?, dead_letter_reason = NULL
           WHERE id = ? AND status = 'deadlettered'`,
    ).run(now, now, id).changes;
    return changed === 1;
  }

  isValidated(subscription: string, endpoint: string): boolean {
    return (
      this.statement('SELECT 1 FROM eg_validated_endpoints WHERE subscription = ? AND endpoint = ?').get(
        subscription,
        endpoint,
      ) !== undefined
    );
  }

  markValidated(subscription: string, endpoint: string, now: number): void {
    this.statement(
      'INSERT OR REPLACE INTO eg_validated_endpoints (subscription, endpoint, validated_at) VALUES (?, ?, ?)',
    ).run(subscription, endpoint, now);
  }
}
