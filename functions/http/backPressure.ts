/**
 * Back-pressure on new commands (docs/operations.md, back-pressure): while the commands this
 * instance accepted and the pipeline has not handled through reach `BACKLOG_MAX_COMMANDS`, a new
 * command is refused with 429 `backlog_full` and `Retry-After` instead of growing the backlog; reads
 * never ask. A request admitted holds its place from the decision on, so concurrent requests
 * cannot together pass the bound; the place is kept when the command is accepted, released otherwise.
 */
import type { HttpResponseInit } from '@azure/functions';
import type { BacklogSettings } from '../settings';
import type { Stores } from '../../stores';
import {
  commandBacklog,
  type BacklogMeasure,
  type BacklogSlot,
  type CommandBacklog,
} from '../health/backlog';
import { problem } from './problem';

export type BacklogDecision = { admit: true } | { admit: false; retryAfterSeconds: number; detail: string };

/**
 * The decision on one new command, from what is counted now.
 *
 * @example decideOnCommand({ commands: 500, oldestAgeMs: 9_000 }, { maxCommands: 500, retryAfterSeconds: 5 }).admit // false
 */
export function decideOnCommand(measure: BacklogMeasure, limits: BacklogSettings): BacklogDecision {
  if (measure.commands < limits.maxCommands) return { admit: true };
  return {
    admit: false,
    retryAfterSeconds: limits.retryAfterSeconds,
    detail:
      `The pipeline is behind: ${measure.commands} accepted commands are not handled yet ` +
      `(the bound is ${limits.maxCommands}, the oldest waits ${Math.round(measure.oldestAgeMs / 1000)} s). ` +
      `Send this request again in ${limits.retryAfterSeconds} s; nothing of it was kept.`,
  };
}

/** 429 problem+json with `Retry-After` (seconds). */
export function backlogFull(decision: Extract<BacklogDecision, { admit: false }>): HttpResponseInit {
  const refusal = problem(429, 'backlog_full', decision.detail);
  return {
    ...refusal,
    headers: {
      ...(refusal.headers as Record<string, string>),
      'retry-after': String(decision.retryAfterSeconds),
    },
  };
}

/**
 * Admits a new command or refuses it: a slot to end with `accepted` or `release`, or the 429.
 * Refreshes the measurement first when it is due (at most once a second, or at the bound while
 * the backlog drains).
 */
export async function admitCommand(
  deps: { stores: Stores; now: number; limits: BacklogSettings },
  backlog: CommandBacklog = commandBacklog,
): Promise<{ slot: BacklogSlot } | { refused: HttpResponseInit }> {
  await backlog.refreshIfDue(deps.stores, deps.now, backlog.size >= deps.limits.maxCommands);
  const decision = decideOnCommand(backlog.measure(deps.now), deps.limits);
  if (!decision.admit) return { refused: backlogFull(decision) };
  return { slot: backlog.hold() };
}
