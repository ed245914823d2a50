/**
 * The monitor on a transfer's orchestration (issue 13), in Chromium against the whole app on the
 * local host, signed in as an operator: "Cancel transfer" (the domain operation) comes first and
 * releases the reservation; Terminate says the reconciler compensates, and it does; an
 * `ApprovalDecision` raised from the monitor reports whether the process took it and why not.
 *
 * Amounts: alice loads 5,000.00; the approval threshold is 1,000.00.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createTestHost, type TestHost } from '@cardflow/local-host';
import { accessibilityProblems } from './accessibility';
import {
  READER,
  Scenario,
  balances,
  loadCredits,
  openAccount,
  requestTransfer,
  transferStatus,
} from './cardflowApi';
import { DashboardPage, type MonitorPanel } from './dashboardPage';
import { onFailureScreenshot, openBrowser, screenshot, scriptErrors, type BrowserSession } from './harness';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '..', '..');
const MINUTE = 60_000;

let host: TestHost;
let app: Scenario;
let session: BrowserSession;
let dashboard: DashboardPage;
let monitor: MonitorPanel;

const step = <T>(fn: () => Promise<T>): Promise<T> =>
  onFailureScreenshot(session.page, fn, () => host.logs.entries.map((e) => `${e.level}: ${e.message}`));

beforeAll(async () => {
  for (const built of ['dist/functions/index.js', 'dist/functions/dashboard.js', 'web/dist/main.js']) {
    if (!existsSync(path.join(ROOT, built)))
      throw new Error(`${built} is missing: run \`npm run build\` first (npm test does).`);
  }
  host = await createTestHost({ appRoot: ROOT, users: false });
  app = new Scenario(host, { alice: ['customer'], bob: ['customer'] });
  await openAccount(app, 'acc-alice', 'alice', 'Alice');
  await openAccount(app, 'acc-bob', 'bob', 'Bob');
  await loadCredits(app, 'acc-alice', 'load-alice-1', 500_000);
  session = await openBrowser();
  dashboard = new DashboardPage(session.page, host.baseUrl);
  monitor = dashboard.monitor;
  await onFailureScreenshot(session.page, () => dashboard.signIn(READER, 'monitor'));
});

afterAll(async () => {
  await session?.close();
  await host?.stop();
});

async function awaitingApproval(transferId: string): Promise<void> {
  await requestTransfer(app, {
    transferId,
    fromAccountId: 'acc-alice',
    toAccountId: 'acc-bob',
    amount: 110_000,
    requestedBy: 'alice',
  });
  expect(await transferStatus(app, transferId)).toBe('awaiting_approval');
}

/** The headings of the operations the shown instance is offered, in order. */
function offeredOperations(): Promise<string[]> {
  return monitor.detail.locator('.operations h4').allTextContents();
}

describe("the monitor on a transfer's orchestration", () => {
  it('offers Cancel transfer first, and cancelling releases the reservation through the process', () =>
    step(async () => {
      await awaitingApproval('t-cancel-1');
      expect(await balances(app, 'acc-alice')).toEqual({ available: 390_000, reserved: 110_000 });
      await dashboard.open('monitor', { params: { instance: 't-cancel-1' } });
      await monitor.detail
        .locator('.custom-status')
        .getByText(/^Awaiting approval for its amount until /)
        .waitFor();
      expect(await offeredOperations()).toEqual(['Cancel transfer', 'Raise event', 'Terminate', 'Suspend']);
      // Terminate says what it leaves undone, and who does it.
      const terminate = monitor.detail.locator('form', {
        has: session.page.getByRole('heading', { name: 'Terminate' }),
      });
      expect(await terminate.locator('.hint').textContent()).toMatch(
        /does not compensate: the reconciler, which runs every minute by default, waits 10 minutes after the process ended \(an activity it started may still be running\), then releases the reservation.*Prefer Cancel transfer\./,
      );
      expect(await accessibilityProblems(session.page)).toEqual([]);
      await screenshot(session.page, 'monitor transfer operations');

      const cancel = monitor.detail.locator('form', {
        has: session.page.getByRole('heading', { name: 'Cancel transfer' }),
      });
      // The note is required: the audit trail says why.
      await cancel.getByRole('button', { name: 'Cancel transfer' }).click();
      await cancel.getByText('Say why the transfer is cancelled.').waitFor();
      await cancel.getByLabel('Why (recorded with the cancel)').fill('customer called, wrong payee');
      // The dialog's other button says it keeps the transfer (no bare "Cancel" beside "Cancel transfer").
      await cancel.getByRole('button', { name: 'Cancel transfer' }).click();
      const dialog = session.page.getByRole('dialog');
      expect(await dialog.getByRole('button').allTextContents()).toEqual([
        'Keep the transfer',
        'Cancel transfer',
      ]);
      await dialog.getByRole('button', { name: 'Keep the transfer' }).click();
      await dialog.waitFor({ state: 'hidden' });
      expect(await transferStatus(app, 't-cancel-1')).toBe('awaiting_approval');
      const sent = session.page.waitForRequest(
        (request) =>
          request.method() === 'POST' && request.url().endsWith('/api/transfers/t-cancel-1/cancel'),
      );
      await cancel.getByRole('button', { name: 'Cancel transfer' }).click();
      await dashboard.confirm('Cancel transfer');
      expect((await sent).postDataJSON()).toEqual({ note: 'customer called, wrong payee' });
      await monitor.operationStatus
        .getByText(
          /^Transfer t-cancel-1 cancelled; its reservation is released\. Failed: an operator cancelled it/,
        )
        .waitFor({ timeout: 30_000 });
      await host.waitForIdle({ timeoutMs: 60_000 });
      expect(await transferStatus(app, 't-cancel-1')).toBe('failed');
      expect(await balances(app, 'acc-alice')).toEqual({ available: 500_000, reserved: 0 });
      // The ended process is offered no cancel any more, and says why.
      await monitor.detail.getByText(/^The process has ended/).waitFor();
      expect(await offeredOperations()).toEqual(['Cancel transfer', 'Purge history']);
      expect(await monitor.detail.getByRole('button', { name: 'Cancel transfer' }).count()).toBe(0);
    }));

  it('reports whether a raised ApprovalDecision was taken: ignored for the requester, ignored when malformed, accepted when valid', () =>
    step(async () => {
      await awaitingApproval('t-raise-1');
      await dashboard.open('monitor', { params: { instance: 't-raise-1' } });
      await monitor.detail.getByRole('button', { name: 'Raise event' }).waitFor();
      // The template is a valid decision, in the operator's name.
      expect(await monitor.detail.getByLabel('Event name').inputValue()).toBe('ApprovalDecision');
      const template = JSON.parse(
        await monitor.detail.getByLabel('Event data (JSON)').inputValue(),
      ) as unknown;
      expect(template).toEqual({ decision: 'approve', approver: READER, note: 'decided from the monitor' });

      // The requester may not decide: the machine ignores it, and the page says why.
      await monitor.raiseEvent('ApprovalDecision', '{"decision": "approve", "approver": "alice"}');
      await dashboard.confirm('Raise event');
      await monitor.operationStatus
        .getByText(
          'ApprovalDecision raised: The process ignored the decision by alice: the person who requested a transfer may not approve or reject it. It still awaits approval.',
        )
        .waitFor({ timeout: 30_000 });
      expect(await transferStatus(app, 't-raise-1')).toBe('awaiting_approval');

      // A malformed one: the page warns before raising, and says the process ignored it.
      await monitor.raiseEvent('ApprovalDecision', '{"decision": "approve", "approver": "olga", "by": "me"}');
      await session.page
        .getByRole('dialog')
        .getByText(/The process will ignore it: it has fields the process does not take: by\./)
        .waitFor();
      await dashboard.confirm('Raise event');
      await monitor.operationStatus
        .getByText(
          /^ApprovalDecision raised: The process ignored the decision: it is malformed \(it has fields/,
        )
        .waitFor({ timeout: 30_000 });

      // The template as it is: accepted, and the transfer completes.
      await monitor.raiseEvent('ApprovalDecision', JSON.stringify(template));
      await dashboard.confirm('Raise event');
      await monitor.operationStatus
        .getByText(/^ApprovalDecision raised: The process accepted the approval by olga\. Now: /)
        .waitFor({ timeout: 30_000 });
      await host.waitForIdle({ timeoutMs: 60_000 });
      expect(await transferStatus(app, 't-raise-1')).toBe('completed');
      expect(scriptErrors(session)).toEqual([]);
    }));

  it('terminating from the monitor leaves the compensation to the reconciler, which releases the reservation', () =>
    step(async () => {
      await awaitingApproval('t-term-1');
      const before = await balances(app, 'acc-alice');
      await dashboard.open('monitor', { params: { instance: 't-term-1' } });
      await monitor.terminate('operator test');
      await session.page
        .getByRole('dialog')
        .getByText(/^Terminate t-term-1\? Terminate stops the process where it is and does not compensate/)
        .waitFor();
      await dashboard.confirm('Terminate');
      await monitor.operationStatus
        .getByText(
          'Termination of t-term-1 requested. The reconciler finishes the transfer at its first run 10 minutes after the process ended (it runs every minute by default).',
        )
        .waitFor();
      await host.waitForIdle({ timeoutMs: 60_000 });
      // Within the grace after the end the reconciler leaves it (an activity may still run) …
      await host.advance(2 * MINUTE);
      await host.waitForIdle({ timeoutMs: 60_000 });
      expect(await transferStatus(app, 't-term-1')).toBe('awaiting_approval');
      // … then finishes it at its next run (default every minute) on the host's clock.
      await host.advance(10 * MINUTE);
      await host.waitForIdle({ timeoutMs: 60_000 });
      expect(await transferStatus(app, 't-term-1')).toBe('failed');
      expect(await balances(app, 'acc-alice')).toEqual({
        available: before.available + 110_000,
        reserved: before.reserved - 110_000,
      });
      // The address follows the instance shown: back to the list, then a row's click.
      await monitor.detail.getByRole('button', { name: 'Back to the list' }).click();
      expect(new URL(session.page.url()).hash).toBe('#monitor');
      await monitor.openInstance('t-term-1');
      expect(new URL(session.page.url()).hash).toBe('#monitor?instance=t-term-1');
      expect(await offeredOperations()).toEqual(['Cancel transfer', 'Purge history']);
    }));
});
