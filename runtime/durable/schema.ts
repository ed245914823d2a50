/**
 * The durable backend's tables (all prefixed `durable_`) in the host's SQLite database.
 *
 * - durable_instances: one row per orchestration instance (its current execution), with the
 *   backend's replay bookkeeping (`book`, JSON) next to the public status.
 * - durable_history: the current execution's history events, ordered by `seq`.
 * - durable_messages: the orchestrator inbox: new events for an instance, consumed by episodes in
 *   `seq` order. `execution_id` NULL means "whichever execution is current" (raised events).
 * - durable_activities: activity work items; a row exists while its result is awaited.
 * - durable_timers: durable timers; when due they move into durable_messages as TimerFired.
 * - durable_entities: one row per existing durable entity (`@name@key`) with its state (JSON).
 * - durable_entity_ops: each entity's queue of operations (signals and calls), run in `seq` order,
 *   one batch of one entity at a time.
 *
 * An activity work item is leased while it runs: `dequeue_count` counts attempts (committed before
 * each one) and `visible_at` hides it until the lease (the retry backoff) runs out, so an attempt
 * that crashed the process or timed out is retried later and, after too many, failed as poisoned.
 */
import type { Database } from '../sqlite';

export const DURABLE_SCHEMA_VERSION = 2;

const ddl = `
CREATE TABLE IF NOT EXISTS durable_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS durable_instances (
  instance_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL DEFAULT 'orchestration',
  execution_id TEXT NOT NULL,
  name TEXT NOT NULL,
  version TEXT,
  status TEXT NOT NULL,
  input TEXT,
  output TEXT,
  custom_status TEXT,
  failure_details TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  completed_at INTEGER,
  parent_instance_id TEXT,
  parent_execution_id TEXT,
  parent_task_id INTEGER,
  book TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS durable_instances_by_created ON durable_instances (created_at, instance_id);
CREATE INDEX IF NOT EXISTS durable_instances_by_status ON durable_instances (status);
CREATE TABLE IF NOT EXISTS durable_history (
  instance_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  execution_id TEXT NOT NULL,
  event_type INTEGER NOT NULL,
  event TEXT NOT NULL,
  PRIMARY KEY (instance_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS durable_messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  instance_id TEXT NOT NULL,
  execution_id TEXT,
  event_type INTEGER NOT NULL,
  event TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  dequeue_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS durable_messages_by_instance ON durable_messages (instance_id, seq);
CREATE TABLE IF NOT EXISTS durable_activities (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  instance_id TEXT NOT NULL,
  execution_id TEXT NOT NULL,
  task_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  input TEXT,
  created_at INTEGER NOT NULL,
  dequeue_count INTEGER NOT NULL DEFAULT 0,
  visible_at INTEGER NOT NULL DEFAULT 0,
  UNIQUE (instance_id, execution_id, task_id)
);
CREATE TABLE IF NOT EXISTS durable_timers (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  instance_id TEXT NOT NULL,
  execution_id TEXT NOT NULL,
  task_id INTEGER NOT NULL,
  fire_at INTEGER NOT NULL,
  UNIQUE (instance_id, execution_id, task_id)
);
CREATE INDEX IF NOT EXISTS durable_timers_by_fire_at ON durable_timers (fire_at);
CREATE TABLE IF NOT EXISTS durable_entities (
  entity_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  key TEXT NOT NULL,
  state TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS durable_entities_by_name ON durable_entities (name, key);
CREATE TABLE IF NOT EXISTS durable_entity_ops (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  entity_id TEXT NOT NULL,
  operation TEXT NOT NULL,
  input TEXT,
  is_signal INTEGER NOT NULL,
  request_id TEXT,
  parent_instance_id TEXT,
  parent_execution_id TEXT,
  created_at INTEGER NOT NULL,
  dequeue_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS durable_entity_ops_by_entity ON durable_entity_ops (entity_id, seq);
`;

/** Creates the tables when missing; refuses a database written by a newer schema. */
export function migrateDurableSchema(db: Database): void {
  db.exec(ddl);
  const activityColumns = db.prepare(`PRAGMA table_info(durable_activities)`).all() as Array<{
    name: string;
  }>;
  // Version 2 leases activity work items (visible_at); a version 1 table lacks the column.
  if (!activityColumns.some((c) => c.name === 'visible_at'))
    db.exec(`ALTER TABLE durable_activities ADD COLUMN visible_at INTEGER NOT NULL DEFAULT 0`);
  const row = db.prepare(`SELECT value FROM durable_meta WHERE key = 'schema_version'`).get() as
    { value: string } | undefined;
  if (!row) {
    db.prepare(`INSERT INTO durable_meta (key, value) VALUES ('schema_version', ?)`).run(
      String(DURABLE_SCHEMA_VERSION),
    );
  } else if (Number(row.value) > DURABLE_SCHEMA_VERSION) {
    throw new Error(
      `durable schema version ${row.value} is newer than this runtime supports (${DURABLE_SCHEMA_VERSION})`,
    );
  } else if (Number(row.value) < DURABLE_SCHEMA_VERSION) {
    // Version 2 added tables (entities) and a column, which the statements above have just created.
    db.prepare(`UPDATE durable_meta SET value = ? WHERE key = 'schema_version'`).run(
      String(DURABLE_SCHEMA_VERSION),
    );
  }
}
