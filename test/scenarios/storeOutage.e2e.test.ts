/**
 * The transfer process when the store is down for longer than an activity's retry policy lasts:
 * the process must neither fail mid-way (stranding a reservation, or leaving the destination
 * credited while the source was never captured: money created) nor skip the step. It waits and
 * runs the step again until the store is back.
 */
import { HOUR, ProcessHarness } from './processHarness';
import { stageAppends } from '../support/outage';

jest.setTimeout(60_000);

let harness: ProcessHarness;
/** Appends carrying one of these event ids fail, as they would with the store unreachable. */
const failing = new Set<string>();
let refused = 0;

beforeEach(async () => {
  stageAppends((streamId, events) => {
    if (events.some((event) => failing.has(event.id))) {
      refused++;
      throw new Error(`the store is unreachable (staged for ${streamId})`);
    }
  });
  harness = await ProcessHarness.start();
  await harness.openAccount('acc-alice', 'alice', 1_000_000);
  await harness.openAccount('acc-bob', 'bob');
});
afterEach(async () => {
  failing.clear();
  refused = 0;
  jest.restoreAllMocks();
  await harness.stop();
});

/** Moves the virtual clock second by second, so that each retry's timer fires in turn. */
async function advanceSeconds(seconds: number): Promise<void> {
  for (let second = 0; second < seconds; second++) await harness.host.advance(1_000);
}

it('finishes capturing the source after an outage that outlasts the retries, conserving money', async () => {
  await harness.requestTransfer({
    transferId: 'tr-outage',
    fromAccountId: 'acc-alice',
    toAccountId: 'acc-bob',
    amount: 150_000,
    requestedBy: 'alice',
  });
  await harness.host.advance(HOUR);
  failing.add('tr-outage:credit-out');
  await harness.raiseDecision('tr-outage', { decision: 'approve', approver: 'carol' });
  // Five attempts, 1 s, 2 s, 4 s and 8 s apart, the failure reported 16 s after the last.
  await advanceSeconds(32);

  expect(refused).toBe(5);
  const during = await harness.status('tr-outage');
  expect(during.runtimeStatus).toBe('Running');
  expect(during.customStatus).toMatchObject({ state: 'crediting' });
  expect(harness.host.logs.lines().join('\n')).toMatch(
    /tr-outage: creditDestination failed every retry .*trying again in 60 s/,
  );

  failing.clear();
  await advanceSeconds(60);
  const after = await harness.status('tr-outage');
  expect(after.output).toEqual({ outcome: 'completed', reason: null });
  expect(await harness.account('acc-alice')).toEqual({ available: 850_000, reserved: 0 });
  expect(await harness.account('acc-bob')).toEqual({ available: 150_000, reserved: 0 });
  expect(await harness.eventTypes('account-acc-bob')).toEqual(['AccountOpened', 'FundsTransferredIn']);
});

it('releases the reservation of an expired transfer once the store is back', async () => {
  await harness.requestTransfer({
    transferId: 'tr-outage-2',
    fromAccountId: 'acc-alice',
    toAccountId: 'acc-bob',
    amount: 150_000,
    requestedBy: 'alice',
  });
  failing.add('tr-outage-2:release');
  await harness.host.advance(24 * HOUR);
  await advanceSeconds(32);
  expect((await harness.status('tr-outage-2')).runtimeStatus).toBe('Running');
  expect(await harness.account('acc-alice')).toEqual({ available: 850_000, reserved: 150_000 });

  failing.clear();
  await advanceSeconds(60);
  expect((await harness.status('tr-outage-2')).output).toEqual({
    outcome: 'expired',
    reason: 'approval_expired',
  });
  expect(await harness.account('acc-alice')).toEqual({ available: 1_000_000, reserved: 0 });
});
