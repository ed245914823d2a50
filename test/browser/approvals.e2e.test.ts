/**
 * The approval scenarios of issues 8 and 12, in Chromium against the whole app on the local host
 * (virtual clock), each person signed in through the dashboard's "Sign in" (the host's Easy Auth,
 * a real session cookie): an approver approves a customer's large transfer and the balances change,
 * rejects one, refusals in words (the four-eyes rule among them), an expired one leaving the inbox;
 * an operator reads the inbox without deciding and runs the monitor; a customer is offered no inbox.
 *
 * Amounts: alice loads 5,000.00 (no fee: a single load over 500.00), bob 100.00 (fee 0.02), carol
 * 10.00 (fee 0.00), frank 2,000.00. The approval threshold is 1,000.00 and the timeout 24 h
 * (docs/architecture.md, domain). The tests share one host and run in order: later ones rely on the
 * transfers of earlier ones.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createTestHost, type TestHost } from '@cardflow/local-host';
import type { StreamResponse } from '../../functions/http/schemas';
import { accessibilityProblems, fitsViewportWidth } from './accessibility';
import {
  READER,
  Scenario,
  balances,
  decide,
  loadCredits,
  openAccount,
  requestTransfer,
  transferStatus,
} from './cardflowApi';
import { DashboardPage, rowTexts } from './dashboardPage';
import {
  holdNextRequest,
  onFailureScreenshot,
  openBrowser,
  screenshot,
  scriptErrors,
  type BrowserSession,
} from './harness';

jest.setTimeout(90_000);

const ROOT = path.resolve(__dirname, '..', '..');
const HOUR = 60 * 60 * 1000;

let host: TestHost;
let app: Scenario;
let session: BrowserSession;
let dashboard: DashboardPage;

const step = <T>(fn: () => Promise<T>): Promise<T> =>
  onFailureScreenshot(session.page, fn, () => host.logs.entries.map((e) => `${e.level}: ${e.message}`));

beforeAll(async () => {
  for (const built of ['dist/functions/index.js', 'dist/functions/dashboard.js', 'web/dist/main.js']) {
    if (!existsSync(path.join(ROOT, built)))
      throw new Error(`${built} is missing: run \`npm run build\` first (npm test does).`);
  }
  // No users file: the people of these scenarios are all made here, with exactly their roles.
  host = await createTestHost({ appRoot: ROOT, users: false });
  app = new Scenario(host, {
    alice: ['customer'],
    bob: ['customer'],
    carol: ['customer'],
    // A customer who is an approver too: the four-eyes rule keeps him off his own transfers.
    frank: ['customer', 'approver'],
    dave: ['approver'],
    erin: ['approver'],
  });
  await openAccount(app, 'acc-alice', 'alice', 'Alice');
  await openAccount(app, 'acc-bob', 'bob', 'Bob');
  await openAccount(app, 'acc-carol', 'carol', 'Carol');
  await openAccount(app, 'acc-frank', 'frank', 'Frank');
  await loadCredits(app, 'acc-alice', 'load-alice-1', 500_000);
  await loadCredits(app, 'acc-bob', 'load-bob-1', 10_000);
  await loadCredits(app, 'acc-carol', 'load-carol-1', 1_000);
  await loadCredits(app, 'acc-frank', 'load-frank-1', 200_000);
  session = await openBrowser();
  dashboard = new DashboardPage(session.page, host.baseUrl);
});

afterAll(async () => {
  await session?.close();
  await host?.stop();
});

describe('approving and rejecting transfers from the inbox', () => {
  it("an approver approves a customer's large transfer from the inbox, it completes and the balances change", () =>
    step(async () => {
      await requestTransfer(app, {
        transferId: 't-approve-1',
        fromAccountId: 'acc-alice',
        toAccountId: 'acc-bob',
        amount: 150_000,
        requestedBy: 'alice',
        note: 'rent',
      });
      await dashboard.signIn('dave', 'inbox', { pollMs: 300 });
      expect(await dashboard.signedInAs.textContent()).toBe('Signed in as Dave (approver)');
      // An approver decides and looks up; the monitor is for operators.
      expect(await dashboard.sections()).toEqual(['Approvals inbox', 'Transfers and accounts']);
      const card = await dashboard.inbox.waitForCard('t-approve-1');
      await card.getByText('1,500.00 credits').waitFor();
      await card.getByText('Large amount').waitFor();
      // The approver is the signed-in caller: nobody types an approver id any more.
      expect(await session.page.getByLabel('Your approver id').count()).toBe(0);
      await session.page.getByText('You decide as Dave (dave)').waitFor();
      // The deadline is 24 h after the request on the host's clock, whatever the browser's clock says.
      expect(await dashboard.inbox.timeLeft('t-approve-1').textContent()).toMatch(/^(1 d 00 h|23 h 59 min)$/);
      expect(await balances(app, 'acc-alice')).toEqual({ available: 350_000, reserved: 150_000 });
      expect(await accessibilityProblems(session.page)).toEqual([]);
      await screenshot(session.page, 'inbox');
      await session.page.setViewportSize({ width: 360, height: 740 });
      expect(await fitsViewportWidth(session.page)).toBe(true);
      await screenshot(session.page, 'inbox narrow');
      await session.page.setViewportSize({ width: 1280, height: 900 });

      const sent = session.page.waitForRequest(
        (request) =>
          request.method() === 'POST' && request.url().endsWith('/api/transfers/t-approve-1/decision'),
      );
      await dashboard.inbox.decide('t-approve-1', 'Approve', 'checked with alice');
      // The body names no approver: the API takes the caller's identity from the session cookie.
      expect((await sent).postDataJSON()).toEqual({ decision: 'approve', note: 'checked with alice' });
      // The decision's own report, or (on a slow machine) the inbox noticing the completed transfer.
      await dashboard.inbox.activity
        .getByText(/Transfer t-approve-1 (approved|is completed)/)
        .first()
        .waitFor();
      await dashboard.inbox.waitForCardGone('t-approve-1');
      await host.waitForIdle({ timeoutMs: 60_000 });
      expect(await transferStatus(app, 't-approve-1')).toBe('completed');

      // Four eyes: requested by alice, decided by dave, as the transfer's read model says.
      await dashboard.navigate('lookup');
      await dashboard.lookup.showTransfer('t-approve-1');
      await dashboard.lookup.transferResult.getByText('completed', { exact: true }).waitFor();
      expect(await factOf(dashboard, 'Requested by')).toBe('alice');
      expect(await factOf(dashboard, 'Approver')).toBe('dave');
      // An approver reads transfers, not accounts: the API's refusal is shown in words.
      await dashboard.lookup.showAccount('acc-bob');
      await dashboard.lookup.accountResult
        .getByText(
          /^Account acc-bob: Forbidden \(403\): .*This needs the role customer or operator; you have approver\.$/,
        )
        .waitFor();

      // The destination's owner sees the credit on his own account.
      await dashboard.signIn('bob', 'lookup');
      await dashboard.lookup.showAccount('acc-bob');
      await dashboard.lookup.available().getByText('1,599.98 credits').waitFor();
      expect(await balances(app, 'acc-alice')).toEqual({ available: 350_000, reserved: 0 });
      expect(scriptErrors(session)).toEqual([]);
      expect(session.pageErrors).toEqual([]);
    }));

  it('shows a transfer requested while the inbox is open without a reload, rejects it, and the reservation is released', () =>
    step(async () => {
      await dashboard.signIn('dave', 'inbox', { pollMs: 300 });
      await dashboard.inbox.status.getByText(/^No transfers are waiting/).waitFor();
      await requestTransfer(app, {
        transferId: 't-reject-1',
        fromAccountId: 'acc-alice',
        toAccountId: 'acc-carol',
        amount: 120_000,
        requestedBy: 'alice',
      });
      // By keyboard: from the note, Tab to Approve, Tab to Reject, Enter.
      const card = await dashboard.inbox.waitForCard('t-reject-1');
      await card.getByLabel('Note for the decision (optional)').fill('not expected');
      await session.page.keyboard.press('Tab');
      await session.page.keyboard.press('Tab');
      expect(await session.page.evaluate(() => document.activeElement?.textContent)).toBe(
        'Reject transfer t-reject-1',
      );
      await session.page.keyboard.press('Enter');
      await dashboard.inbox.activity
        .getByText(/Transfer t-reject-1 (rejected: |is rejected \()an approver rejected it/)
        .first()
        .waitFor();
      await dashboard.inbox.waitForCardGone('t-reject-1');
      // The keyboard is not dropped on the page's body when the card it was in goes away.
      expect(await session.page.evaluate(() => document.activeElement?.id)).toBe('inbox-title');
      await host.waitForIdle({ timeoutMs: 60_000 });
      expect(await transferStatus(app, 't-reject-1')).toBe('rejected');
      expect(await balances(app, 'acc-alice')).toEqual({ available: 350_000, reserved: 0 });
      expect(await balances(app, 'acc-carol')).toEqual({ available: 1_000, reserved: 0 });
    }));

  it('says why the requester may not approve their own transfer, and the transfer keeps waiting', () =>
    step(async () => {
      await requestTransfer(app, {
        transferId: 't-self-1',
        fromAccountId: 'acc-frank',
        toAccountId: 'acc-bob',
        amount: 110_000,
        requestedBy: 'frank',
      });
      // Frank is an approver too, so the inbox offers him the form; the API refuses his own transfer.
      await dashboard.signIn('frank', 'inbox', { pollMs: 300 });
      expect(await dashboard.signedInAs.textContent()).toBe('Signed in as Frank (customer, approver)');
      await dashboard.inbox.decide('t-self-1', 'Approve');
      await dashboard.inbox
        .cardStatus('t-self-1')
        .getByText(
          /^The approval was refused: Forbidden \(403\): the person who requested a transfer may not approve or reject it/,
        )
        .waitFor();
      expect(await transferStatus(app, 't-self-1')).toBe('awaiting_approval');
      expect(await balances(app, 'acc-frank')).toEqual({ available: 90_000, reserved: 110_000 });
      expect(await dashboard.inbox.card('t-self-1').isVisible()).toBe(true);
    }));

  it('says the transfer was already decided when someone else decided first', () =>
    step(async () => {
      await requestTransfer(app, {
        transferId: 't-race-1',
        fromAccountId: 'acc-alice',
        toAccountId: 'acc-bob',
        amount: 100_000,
        requestedBy: 'alice',
      });
      // A slow poll keeps the card on screen after the other approver's decision.
      await dashboard.signIn('dave', 'inbox', { pollMs: 60_000 });
      await dashboard.inbox.waitForCard('t-race-1');
      await decide(app, 't-race-1', 'reject', 'erin');
      await dashboard.inbox.decide('t-race-1', 'Approve');
      // The refusal stays in the activity log after the next poll removes the card.
      await dashboard.inbox.activity
        .getByText(
          /^.*The approval was refused: Conflict \(409\): the transfer is no longer waiting for approval/,
        )
        .waitFor();
      expect(await transferStatus(app, 't-race-1')).toBe('rejected');
    }));

  it('an operator follows the inbox without the decision form', () =>
    step(async () => {
      await dashboard.signIn(READER, 'inbox', { pollMs: 300 });
      expect(await dashboard.signedInAs.textContent()).toBe('Signed in as Olga (operator)');
      expect(await dashboard.sections()).toEqual([
        'Approvals inbox',
        'Transfers and accounts',
        'Orchestrations',
      ]);
      const card = await dashboard.inbox.waitForCard('t-self-1');
      await card.getByText('1,100.00 credits').waitFor();
      await session.page
        .getByText('You can follow the inbox here; deciding needs the approver role.')
        .waitFor();
      expect(await card.getByRole('button').count()).toBe(0);
      expect(await card.getByLabel('Note for the decision (optional)').count()).toBe(0);
      expect(await accessibilityProblems(session.page)).toEqual([]);
    }));

  it('an expired transfer leaves the inbox and says why', () =>
    step(async () => {
      await dashboard.signIn('dave', 'inbox', { pollMs: 300 });
      await dashboard.inbox.waitForCard('t-self-1');
      await host.advance(25 * HOUR);
      expect(await transferStatus(app, 't-self-1')).toBe('expired');
      await dashboard.inbox.waitForCardGone('t-self-1');
      await dashboard.inbox.activity
        .getByText(
          /Transfer t-self-1 is expired \(the approval deadline passed before anyone decided\) and left the inbox\./,
        )
        .waitFor();
      expect(await balances(app, 'acc-frank')).toEqual({ available: 200_000, reserved: 0 });
    }));
});

describe('what a customer is offered', () => {
  it('offers a customer no inbox and no decision form, only the look-up, where the API decides what they read', () =>
    step(async () => {
      // Asking for the inbox by its address lands on the look-up: the inbox is not in the page at all.
      await dashboard.signIn('alice', 'inbox');
      await dashboard.viewHeading('lookup').waitFor();
      expect(await dashboard.signedInAs.textContent()).toBe('Signed in as Alice (customer)');
      expect(await dashboard.sections()).toEqual(['Transfers and accounts']);
      expect(await session.page.locator('#inbox, #monitor, #inbox-list').count()).toBe(0);
      expect(await session.page.getByRole('button', { name: /^(Approve|Reject)/ }).count()).toBe(0);
      expect(await dashboard.viewHeading('inbox').count()).toBe(0);

      // Her own transfer and account, without the orchestration (the Durable API is operators').
      await dashboard.lookup.showTransfer('t-approve-1');
      await dashboard.lookup.transferResult.getByText('completed', { exact: true }).waitFor();
      expect(await factOf(dashboard, 'Approver')).toBe('dave');
      expect(
        await dashboard.lookup.transferResult.getByRole('heading', { name: 'Orchestration' }).count(),
      ).toBe(0);
      await dashboard.lookup.showAccount('acc-alice');
      await dashboard.lookup.available().getByText('3,500.00 credits').waitFor();
      await dashboard.lookup.reserved().getByText('0.00 credits').waitFor();
      // Someone else's account is refused; someone else's transfer looks like no transfer.
      await dashboard.lookup.showAccount('acc-carol');
      await dashboard.lookup.accountResult
        .getByText(/^Account acc-carol: Forbidden \(403\): .*Account acc-carol is not yours\.$/)
        .waitFor();
      await dashboard.lookup.showTransfer('t-self-1');
      await dashboard.lookup.transferResult
        .getByText(/^Transfer t-self-1: Not Found \(404\): .*There is no transfer t-self-1\.$/)
        .waitFor();
      expect(await accessibilityProblems(session.page)).toEqual([]);
      expect(scriptErrors(session)).toEqual([]);
      expect(session.pageErrors).toEqual([]);
    }));
});

describe('transfers and orchestrations of the whole app', () => {
  it('filters the orchestrations list by status', () =>
    step(async () => {
      // The monitor is an operator's.
      await dashboard.signIn(READER, 'monitor');
      await dashboard.monitor.filter({ statuses: ['Completed'], prefix: 't-' });
      await dashboard.monitor.status.getByText(/^Showing \d+ instances?/).waitFor();
      const completed = await dashboard.monitor.instanceIds();
      expect(completed).toEqual(
        expect.arrayContaining(['t-approve-1', 't-reject-1', 't-self-1', 't-race-1']),
      );
      await dashboard.monitor.filter({ statuses: ['Running'], prefix: 't-' });
      await dashboard.monitor.status.getByText('No instances match the filter.').waitFor();
    }));

  it('opens a transfer with its read model and its orchestration history as a timeline', () =>
    step(async () => {
      await dashboard.open('lookup', { params: { transfer: 't-approve-1' } });
      await dashboard.lookup.transferResult.getByText('Transfer t-approve-1').waitFor();
      await dashboard.lookup.transferResult.getByText('1,500.00 credits').waitFor();
      await dashboard.lookup.transferResult.getByText('dave', { exact: true }).waitFor();
      const lines = await dashboard.lookup.timeline().allTextContents();
      expect(lines[0]).toMatch(/Orchestration transferProcess started/);
      expect(lines.some((line) => /Event ApprovalDecision received/.test(line))).toBe(true);
      expect(lines[lines.length - 1]).toMatch(/Orchestration completed/);
      await screenshot(session.page, 'transfer timeline');
    }));

  it("lists a completed transfer's event stream beside its read model, and an account's on request", () =>
    step(async () => {
      const stored = (await (
        await host.fetch('/api/transfers/t-approve-1/events', { headers: app.as(READER) })
      ).json()) as StreamResponse;
      await dashboard.open('lookup', { params: { transfer: 't-approve-1' } });
      await dashboard.lookup.transferResult.getByRole('heading', { name: 'Event stream' }).waitFor();
      await dashboard.lookup.transferResult
        .getByRole('table', { name: 'Events of transfer-t-approve-1, version 4' })
        .waitFor();
      const rows = await rowTexts(dashboard.lookup.transferEvents());
      expect(rows.map(([version, type]) => [Number(version), type])).toEqual(
        stored.events.map((e) => [e.version, e.type]),
      );
      expect(rows.map(([, type]) => type)).toEqual([
        'TransferRequested',
        'TransferApprovalRequested',
        'TransferApproved',
        'TransferCompleted',
      ]);
      expect(rows[0][3]).toBe('Transfer requested 1,500.00 from acc-alice to acc-bob by alice — note “rent”');
      expect(rows[1][3]).toMatch(
        /^Approval requested for its amount, deadline \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/,
      );
      expect(rows[2][3]).toBe('Approved by dave — note “checked with alice”');
      expect(rows[3][3]).toBe('Transfer completed');
      expect(rows.every(([, , when]) => / UTC$/.test(when))).toBe(true);
      // Read model first, then the stream, then the orchestration.
      const headings = await dashboard.lookup.transferResult.locator('h4').allTextContents();
      expect(headings.indexOf('Event stream')).toBeGreaterThan(headings.indexOf('Transfer t-approve-1'));
      expect(headings.indexOf('Event stream')).toBeLessThan(headings.indexOf('Orchestration'));
      expect(await accessibilityProblems(session.page)).toEqual([]);
      await screenshot(session.page, 'transfer event stream');
      await session.page.setViewportSize({ width: 360, height: 740 });
      expect(await fitsViewportWidth(session.page)).toBe(true);
      await session.page.setViewportSize({ width: 1280, height: 900 });

      // A look-up answered late must not replace the one asked for after it.
      const slow = await holdNextRequest(session.page, (url) => url.pathname === '/api/accounts/acc-carol');
      await dashboard.lookup.showAccount('acc-carol');
      await slow.arrived;
      await dashboard.lookup.showAccount('acc-alice');
      await dashboard.lookup.accountResult.getByRole('heading', { name: 'Account acc-alice' }).waitFor();
      slow.release();
      await slow.handled();
      expect(
        await dashboard.lookup.accountResult.getByRole('heading', { level: 4 }).first().textContent(),
      ).toBe('Account acc-alice');
      const folded = dashboard.lookup.accountResult.getByText(/^Event stream \(\d+ events\)$/);
      await folded.click();
      const accountRows = await rowTexts(dashboard.lookup.accountEvents());
      const summaries = accountRows.map(([, , , what]) => what);
      expect(summaries[0]).toBe('Account opened for Alice (alice), a user account');
      expect(summaries).toContain('Funds reserved 1,500.00 for transfer t-approve-1');
      expect(summaries).toContain('Funds transferred out 1,500.00 to acc-bob (transfer t-approve-1)');
      expect(summaries).toContain('Funds released 1,200.00 for transfer t-reject-1: an approver rejected it');
      expect(accountRows.map(([version]) => Number(version))).toEqual(
        Array.from({ length: accountRows.length }, (_, i) => i + 1),
      );
      expect(scriptErrors(session)).toEqual([]);
      expect(session.pageErrors).toEqual([]);
    }));
});

/** The value beside `label` in the shown transfer's facts (its read model). */
function factOf(page: DashboardPage, label: string): Promise<string | null> {
  return page.lookup.transferResult
    .locator('dl.facts')
    .first()
    .locator(`xpath=//dt[normalize-space()="${label}"]/following-sibling::dd[1]`)
    .textContent();
}
