/**
 * The velocity rule through both sources of the outflow window (orchestrations/outflowWindow.ts):
 * the `outflowWindow` entity (the default, docs/architecture.md, the process manager) and the account stream (the fallback for a
 * durable backend without entities).
 */
import { DURABLE_API, HOUR, ProcessHarness } from './processHarness';

// Whole-host tests: generous under a loaded CI machine (they take well under a second each when idle).
jest.setTimeout(60_000);

describe.each(['entity', 'stream'])('the outflow window kept by the %s', (mode) => {
  let harness: ProcessHarness;

  beforeEach(async () => {
    harness = await ProcessHarness.start({ CARDFLOW_OUTFLOW_WINDOW: mode });
    await harness.openAccount('acc-alice', 'alice', 1_000_000);
    await harness.openAccount('acc-bob', 'bob');
  });
  afterEach(() => harness.stop());

  const send = (id: string, amount: number) =>
    harness.requestTransfer({
      transferId: id,
      fromAccountId: 'acc-alice',
      toAccountId: 'acc-bob',
      amount,
      requestedBy: 'alice',
    });

  it('holds the third transfer of 900.00 within a day for approval, and stops counting it once rejected', async () => {
    for (const n of [1, 2]) {
      await send(`tr-v${n}`, 90_000);
      expect((await harness.status(`tr-v${n}`)).output).toEqual({ outcome: 'completed', reason: null });
      await harness.host.advance(HOUR);
    }
    await send('tr-v3', 90_000);
    expect((await harness.status('tr-v3')).customStatus).toMatchObject({
      state: 'awaitingApproval',
      approvalReason: 'velocity',
    });

    await harness.raiseDecision('tr-v3', { decision: 'reject', approver: 'carol' });
    // 900.00 + 900.00 + 600.00 stays under 2 500.00 once the rejected one no longer counts.
    await send('tr-v4', 60_000);
    expect((await harness.status('tr-v4')).output).toEqual({ outcome: 'completed', reason: null });

    if (mode === 'entity') {
      const res = await harness.host.fetch(`${DURABLE_API}/entities/outflowWindow/acc-alice`);
      const window = (await res.json()) as { outflows: Array<{ transferId: string }> };
      expect(window.outflows.map((o) => o.transferId)).toEqual(['tr-v1', 'tr-v2', 'tr-v4']);
    }
  });

  it('serialises concurrent transfers from one account: exactly one of three 900.00 transfers waits', async () => {
    await Promise.all(['tr-c1', 'tr-c2', 'tr-c3'].map((id) => send(id, 90_000)));
    await harness.host.waitForIdle();
    const states = await Promise.all(
      ['tr-c1', 'tr-c2', 'tr-c3'].map(async (id) => (await harness.status(id)).customStatus?.state),
    );
    expect(states.sort()).toEqual(['awaitingApproval', 'completed', 'completed']);
  });
});
