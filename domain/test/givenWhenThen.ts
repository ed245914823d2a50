import { Decider, fold } from '../decider';
import { ReasonCode } from '../reasons';

/**
 * Given / When / Then for deciders:
 *
 * @example
 * given(accountDecider, [opened]).when(load).then([loaded]);
 * given(accountDecider, []).when(load).thenRejects('account_not_found');
 */
export function given<C, E, S>(decider: Decider<C, E, S>, events: readonly E[]) {
  const state = fold(decider, events);
  return {
    when(command: C) {
      const decision = decider.decide(command, state);
      return {
        /** Asserts the command is accepted with exactly `expected` (an empty list for a no-op repeat). */
        then(expected: readonly E[]): void {
          if (!decision.ok)
            throw new Error(
              `expected events, but the command was rejected: ${decision.error.code} (${decision.error.message})`,
            );
          expect(decision.events).toEqual(expected);
        },
        /** Asserts the command is rejected with `code`. */
        thenRejects(code: ReasonCode): void {
          if (decision.ok)
            throw new Error(`expected rejection ${code}, but got events ${JSON.stringify(decision.events)}`);
          expect(decision.error.code).toBe(code);
          expect(decision.error.message.length).toBeGreaterThan(0);
        },
      };
    },
  };
}
