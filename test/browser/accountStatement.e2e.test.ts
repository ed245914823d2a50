/**
 * The account statement in Chromium against the whole app on the local host (issue 13): entries
 * named in words, amounts signed (debits negative), the balance after each, and the statement
 * fitting its box at a desktop's width (1280 px) and a phone's (360 px), "Balance after" in view.
 *
 * Amounts: sam loads 400.00 (fee 0.08) and 5,000.00 (no fee above 500.00); the approval threshold
 * is 1,000.00. He sends bob 1,100.00 (approved), 1,200.00 (rejected) and 50.00 (no approval).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createTestHost, type TestHost } from '@cardflow/local-host';
import type { StatementResponse } from '../../functions/http/schemas';
import { accessibilityProblems, fitsViewportWidth } from './accessibility';
import { READER, Scenario, decide, loadCredits, openAccount, requestTransfer } from './cardflowApi';
import { DashboardPage, rowTexts } from './dashboardPage';
import { onFailureScreenshot, openBrowser, screenshot, scriptErrors, type BrowserSession } from './harness';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '..', '..');

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
  host = await createTestHost({ appRoot: ROOT, users: false });
  app = new Scenario(host, { sam: ['customer'], bob: ['customer'], dave: ['approver'] });
  await openAccount(app, 'acc-sam', 'sam', 'Sam');
  await openAccount(app, 'acc-bob', 'bob', 'Bob');
  await loadCredits(app, 'acc-sam', 'load-sam-1', 40_000);
  await loadCredits(app, 'acc-sam', 'load-sam-2', 500_000);
  const send = (transferId: string, amount: number) =>
    requestTransfer(app, {
      transferId,
      fromAccountId: 'acc-sam',
      toAccountId: 'acc-bob',
      amount,
      requestedBy: 'sam',
    });
  await send('t-out-1', 110_000);
  await decide(app, 't-out-1', 'approve', 'dave');
  await send('t-rejected-1', 120_000);
  await decide(app, 't-rejected-1', 'reject', 'dave');
  await send('t-small-1', 5_000);
  await host.waitForIdle({ timeoutMs: 60_000 });
  session = await openBrowser();
  dashboard = new DashboardPage(session.page, host.baseUrl);
});

afterAll(async () => {
  await session?.close();
  await host?.stop();
});

const LABELS: Record<string, { label: string; sign: 1 | -1 }> = {
  CreditsLoaded: { label: 'Credits loaded', sign: 1 },
  FundsReserved: { label: 'Reserved', sign: -1 },
  FundsReleased: { label: 'Released', sign: 1 },
  FundsTransferredOut: { label: 'Transfer out', sign: -1 },
  FundsTransferredIn: { label: 'Transfer in', sign: 1 },
};

/** Cents as the statement shows them, signed: "−1,100.00", "+400.00". */
function signed(cents: number): string {
  const abs = Math.abs(cents);
  const text = `${Math.floor(abs / 100).toLocaleString('en-US')}.${String(abs % 100).padStart(2, '0')}`;
  return cents === 0 ? text : `${cents < 0 ? '\u2212' : '+'}${text}`;
}

function unsigned(cents: number): string {
  return `${Math.floor(cents / 100).toLocaleString('en-US')}.${String(cents % 100).padStart(2, '0')}`;
}

async function statementOf(accountId: string): Promise<StatementResponse['entries']> {
  const response = await host.fetch(`/api/accounts/${accountId}/statement`, { headers: app.as(READER) });
  return ((await response.json()) as StatementResponse).entries;
}

/** Whether the statement fits: no horizontal scrolling of the page or of the statement's box, every cell shown inside both. */
async function statementFits(): Promise<{
  page: boolean;
  box: boolean;
  balanceInBox: boolean;
  balanceVisible: boolean;
}> {
  const wrap = dashboard.lookup.accountResult.locator('.table-wrap.statement');
  const header = wrap.getByRole('columnheader', { name: 'Balance after' });
  const geometry = await wrap.evaluate((element) => {
    const box = element.getBoundingClientRect();
    // The cells shown (on a phone the When column is left out).
    const cells = Array.from(element.querySelectorAll('th, td'))
      .filter((cell) => cell.getClientRects().length > 0)
      .map((cell) => cell.getBoundingClientRect());
    return {
      box: element.scrollWidth <= element.clientWidth,
      inside: cells.every((cell) => cell.left >= box.left - 0.5 && cell.right <= box.right + 0.5),
      viewport: cells.every((cell) => cell.right <= document.documentElement.clientWidth + 0.5),
    };
  });
  return {
    page: await fitsViewportWidth(session.page),
    box: geometry.box,
    balanceInBox: geometry.inside && geometry.viewport,
    balanceVisible: await header.isVisible(),
  };
}

describe('the account statement', () => {
  it('names its entries in words, signs the amounts (debits negative) and shows the balance after each', () =>
    step(async () => {
      const entries = await statementOf('acc-sam');
      await dashboard.signIn('sam', 'lookup');
      await dashboard.lookup.showAccount('acc-sam');
      const table = dashboard.lookup.accountResult.getByRole('table', { name: /^Statement/ });
      await table.waitFor();
      const rows = await rowTexts(table.locator('tbody > tr'));
      expect(rows).toHaveLength(entries.length);
      rows.forEach(([, entry, amount, balance], i) => {
        const expected = LABELS[entries[i].type];
        expect(entry.startsWith(expected.label)).toBe(true);
        expect(amount.startsWith(signed(expected.sign * entries[i].amount))).toBe(true);
        expect(balance).toBe(unsigned(entries[i].balanceAfter));
      });
      // No event type names anywhere in the statement.
      expect(await table.textContent()).not.toMatch(/Funds[A-Z]|Credits[A-Z]|Transferred/);
      const names = await table.locator('tbody .entry-name').allTextContents();
      expect(new Set(names)).toEqual(new Set(['Credits loaded', 'Reserved', 'Transfer out', 'Released']));
      // The 1,100.00 sent: reserved, then paid from the reservation; the load's fee a debit under it.
      const out = rows.filter(([, entry]) => entry.startsWith('Transfer out') && entry.includes('t-out-1'));
      expect(out.map(([, , amount]) => amount)).toEqual(['\u22121,100.00']);
      const firstLoad = rows[0];
      expect(firstLoad[2]).toBe('+400.00fee \u22120.08');
      expect(firstLoad[3]).toBe('399.92');
      expect(await accessibilityProblems(session.page)).toEqual([]);

      // The destination's statement: the credit comes in.
      await dashboard.signIn('bob', 'lookup');
      await dashboard.lookup.showAccount('acc-bob');
      // The statement renders after the account's reads answer: wait for its rows (two credits).
      const bobTable = dashboard.lookup.accountResult.getByRole('table', { name: /^Statement/ });
      await bobTable.locator('tbody > tr').nth(1).waitFor();
      const bobRows = await rowTexts(bobTable.locator('tbody > tr'));
      expect(
        bobRows.map(([, entry, amount]) => [entry.split('transfer')[0].replace(/\d.*$/, ''), amount]),
      ).toEqual([
        ['Transfer in', '+1,100.00'],
        ['Transfer in', '+50.00'],
      ]);
      expect(scriptErrors(session)).toEqual([]);
    }));

  it.each([
    [1280, 900],
    [360, 740],
  ])('fits its box at %i px, with "Balance after" in view', (width, height) =>
    step(async () => {
      await session.page.setViewportSize({ width, height });
      await dashboard.signIn('sam', 'lookup');
      await dashboard.lookup.showAccount('acc-sam');
      await dashboard.lookup.accountResult.getByRole('table', { name: /^Statement/ }).waitFor();
      expect(await statementFits()).toEqual({
        page: true,
        box: true,
        balanceInBox: true,
        balanceVisible: true,
      });
      // Every entry's time is shown, in the When column or, on a phone, under the entry's name.
      const times = await dashboard.lookup.accountResult
        .locator('.statement tbody tr')
        .evaluateAll((trs) =>
          trs.map(
            (tr) =>
              Array.from(tr.querySelectorAll('time')).filter((t) => t.getClientRects().length > 0).length,
          ),
        );
      expect(times.every((n) => n === 1)).toBe(true);
      await screenshot(session.page, `statement ${width}`);
      await session.page.setViewportSize({ width: 1280, height: 900 });
    }),
  );
});
