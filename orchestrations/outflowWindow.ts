/**
 * Where the transfer process gets the source's outflow window from (the velocity rule).
 *
 * - `entity` (docs/architecture.md, the process manager): the `outflowWindow` entity, one per source account, called with
 *   `assess` after the reservation and `cancel` when the transfer ends without moving money.
 * - `stream`: the reservation activity's own answer, computed from the source's account stream
 *   (reservations of the last 24 hours not released). Optimistic concurrency on that stream orders
 *   concurrent transfers just as the entity's one-at-a-time execution does.
 *
 * Chosen by the app setting `CARDFLOW_OUTFLOW_WINDOW` (`entity` | `stream`), read once per process.
 * The choice must not change while transfers are in flight: a replay has to take the same path.
 */
export type OutflowWindowMode = 'entity' | 'stream';

/** Entities are the design; `stream` stands in on a durable backend without entity support. */
export const DEFAULT_OUTFLOW_WINDOW_MODE: OutflowWindowMode = 'entity';

export function outflowWindowMode(
  settings: Readonly<Record<string, string | undefined>> = process.env,
): OutflowWindowMode {
  const value = settings.CARDFLOW_OUTFLOW_WINDOW;
  if (value === undefined || value === '') return DEFAULT_OUTFLOW_WINDOW_MODE;
  if (value !== 'entity' && value !== 'stream')
    throw new Error(`CARDFLOW_OUTFLOW_WINDOW is 'entity' or 'stream', not '${value}'`);
  return value;
}
