/** Runs the local topic's deliveries on the test host's virtual clock until a condition holds. */
import type { TestHost } from '../../testHost';
import type { EventGridTopicService } from '../topicService';

/**
 * Repeatedly waits for the host to be idle and jumps the clock to the next pending delivery, until
 * `done()` holds; fails when nothing is left to deliver and it still does not.
 */
export async function deliverUntil(
  host: TestHost,
  topic: EventGridTopicService,
  done: () => boolean,
  maxRounds = 200,
): Promise<void> {
  for (let round = 0; round < maxRounds; round++) {
    await host.waitForIdle();
    if (done()) return;
    const next = topic.nextDueAt();
    if (next === undefined) throw new Error('no delivery is pending and the condition does not hold');
    await host.advance(Math.max(0, next - host.clock.now()));
  }
  throw new Error(`the condition did not hold after ${maxRounds} rounds`);
}

export const FIXTURE_APP = 'runtime/eventgrid/test/fixtures/eventgrid-app';
export const TOPIC_KEY = 'dGVzdC10b3BpYy1rZXktZm9yLWNhcmRmbG93LWV2ZW50cw==';

export interface FixtureState {
  received: {
    auditTrail: Array<{ event: Record<string, unknown>; invocationId: string }>;
    flaky: Array<{ event: Record<string, unknown> }>;
  };
  control: { flakyFailuresLeft: number };
}

/** The fixture app's record of what its functions received (same process: the host loads the app in-process). */
export function fixtureState(): FixtureState {
  const g = globalThis as unknown as {
    __eventGridFixtureReceived?: FixtureState['received'];
    __eventGridFixtureControl?: FixtureState['control'];
  };
  g.__eventGridFixtureReceived ??= { auditTrail: [], flaky: [] };
  g.__eventGridFixtureControl ??= { flakyFailuresLeft: 0 };
  return { received: g.__eventGridFixtureReceived, control: g.__eventGridFixtureControl };
}

export function resetFixture(): void {
  const state = fixtureState();
  state.received.auditTrail.length = 0;
  state.received.flaky.length = 0;
  state.control.flakyFailuresLeft = 0;
}
