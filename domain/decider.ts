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
