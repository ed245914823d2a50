import { Decision } from './reasons';

/**
 * A decider, in three plain parts: the state before any event, how an event changes the state,
 * and what a command produces from a state. `decide` never throws for business rules: it returns
 * a {@link Decision} (events, possibly none for an idempotent repeat, or a rejection with a stable
 * reason code).
 */
export interface Decider<Command, Event, State> {
  readonly initialState: State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State): Decision<Event>;
  /** How the state is kept as JSON beside its stream, for aggregates whose streams grow long. */
  readonly snapshot?: SnapshotFormat<State>;
}

/**
 * A state as plain JSON and back, under a format tag. A snapshot stored under another tag is
 * ignored, so changing the state's shape (or its meaning) needs a new tag, never a migration.
 */
export interface SnapshotFormat<State> {
  /** Names the shape, e.g. `account-state/1`; bump it with any change to the state or to `evolve`. */
  readonly format: string;
  encode(state: State): unknown;
  /** The state, or undefined when `json` is not a valid state of this format. */
  decode(json: unknown): State | undefined;
}

/** The state after `events`, starting from the decider's initial state (or `from`). */
export function fold<Command, Event, State>(
  decider: Decider<Command, Event, State>,
  events: Iterable<Event>,
  from: State = decider.initialState,
): State {
  let state = from;
  for (const event of events) state = decider.evolve(state, event);
  return state;
}
