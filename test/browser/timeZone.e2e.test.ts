/**
 * One time zone throughout (issue 13): the dashboard shows and reads every time in UTC, labelled,
 * whatever the browser's zone. Chromium runs in America/New_York here (five hours behind UTC in
 * January); every time rendered in the inbox, the look-up and the monitor must carry the "UTC"
 * label and be the server's instant, and a time typed into the monitor's filter is read as UTC.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createTestHost, type TestHost } from '@cardflow/local-host';
import type { ApprovalsResponse, TransferResponse } from '../../functions/http/schemas';
import { READER, Scenario, decide, loadCredits, openAccount, requestTransfer } from './cardflowApi';
import { DashboardPage } from './dashboardPage';
import { onFailureScreenshot, openBrowser, scriptErrors, type BrowserSession } from './harness';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '..', '..');
const MINUTE = 60_000;

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
  app = new Scenario(host, { alice: ['customer'], bob: ['customer'], dave: ['approver'] });
  await openAccount(app, 'acc-alice', 'alice', 'Alice');
  await openAccount(app, 'acc-bob', 'bob', 'Bob');
  await loadCredits(app, 'acc-alice', 'load-alice-1', 500_000);
  // Minutes apart on the host's clock (it starts at 2026-01-01T00:00Z), so the instants differ.
  await host.advance(7 * MINUTE);
  await requestTransfer(app, {
    transferId: 't-done-1',
    fromAccountId: 'acc-alice',
    toAccountId: 'acc-bob',
    amount: 150_000,
    requestedBy: 'alice',
  });
  await host.advance(13 * MINUTE);
  await decide(app, 't-done-1', 'approve', 'dave');
  await host.advance(11 * MINUTE);
  await requestTransfer(app, {
    transferId: 't-waiting-1',
    fromAccountId: 'acc-alice',
    toAccountId: 'acc-bob',
    amount: 120_000,
    requestedBy: 'alice',
  });
  session = await openBrowser({ timezoneId: 'America/New_York' });
  dashboard = new DashboardPage(session.page, host.baseUrl);
});

afterAll(async () => {
  await session?.close();
  await host?.stop();
});

async function read<T>(url: string): Promise<T> {
  return (await (await host.fetch(url, { headers: app.as(READER) })).json()) as T;
}

/** An instant as the page must show it: "YYYY-MM-DD HH:MM:SS UTC". */
function utc(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

interface ShownTime {
  datetime: string | null;
  text: string;
}

/** Every `<time>` shown (laid out) inside `selector`. */
function shownTimes(selector: string): Promise<ShownTime[]> {
  return session.page.locator(selector).evaluate((root) =>
    Array.from(root.querySelectorAll('time'))
      .filter((t) => t.getClientRects().length > 0)
      .map((t) => ({ datetime: t.getAttribute('datetime'), text: (t.textContent ?? '').trim() })),
  );
}

/**
 * Clock times ("00:07", "12:00:00", "7:07 PM") in the visible text of `selector` that carry no UTC
 * label; ISO instants in raw payloads ("…T00:07:00.000Z") carry theirs.
 */
function unlabelledTimes(selector: string): Promise<string[]> {
  return session.page.locator(selector).evaluate((root) => {
    const text = (root as HTMLElement).innerText;
    return Array.from(
      text.matchAll(/(?<![:\d])\d{1,2}:\d{2}(?::\d{2})?(?![:\d])(?:\s*[AP]M)?(?!\s*UTC|(?:\.\d+)?Z)/g),
      (m) => m[0],
    );
  });
}

/** Each time shown is the UTC text of its own instant, and every instant is one the server gave. */
function expectUtc(times: ShownTime[], serverInstants: Set<string>): void {
  expect(times.length).toBeGreaterThan(0);
  for (const time of times) {
    expect(time.datetime).not.toBeNull();
    expect(time.text).toBe(utc(time.datetime as string));
    expect([...serverInstants]).toContain(new Date(time.datetime as string).toISOString());
  }
}

describe('one time zone, UTC, in a browser in New York', () => {
  it('runs the browser in a zone other than UTC', () =>
    step(async () => {
      await dashboard.signIn(READER, 'inbox', { pollMs: 300 });
      expect(await session.page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe(
        'America/New_York',
      );
      expect(await session.page.evaluate(() => new Date('2026-01-01T00:00:00Z').getTimezoneOffset())).toBe(
        300,
      );
    }));

  it('shows the inbox times in UTC, the server’s instants, its activity log too', () =>
    step(async () => {
      await dashboard.open('inbox', { pollMs: 300 });
      await dashboard.inbox.waitForCard('t-waiting-1');
      const approvals = await read<ApprovalsResponse>('/api/approvals?status=pending');
      const item = approvals.items.find((i) => i.transferId === 't-waiting-1');
      const instants = new Set([item!.deadline, item!.requestedAt].map((iso) => new Date(iso).toISOString()));
      const times = await shownTimes('#inbox-list');
      expectUtc(times, instants);
      // Both the request time and the deadline are shown, as the server has them.
      expect(times.map((t) => t.text).sort()).toEqual([...instants].map(utc).sort());
      expect(await unlabelledTimes('#inbox')).toEqual([]);

      // The activity log stamps on the server's clock, in UTC, not the browser's time of day.
      await decide(app, 't-waiting-1', 'reject', 'dave');
      await dashboard.inbox.waitForCardGone('t-waiting-1');
      const entry = dashboard.inbox.activity.locator('li', { hasText: 't-waiting-1' }).first();
      await entry.waitFor();
      const stamp = await entry.locator('time').evaluate((t) => ({
        datetime: t.getAttribute('datetime') ?? '',
        text: (t.textContent ?? '').trim(),
      }));
      expect(stamp.text).toBe(utc(stamp.datetime));
      expect(Math.abs(Date.parse(stamp.datetime) - Date.parse(approvals.asOf))).toBeLessThan(MINUTE);
      expect(await unlabelledTimes('#inbox')).toEqual([]);
    }));

  it('shows the look-up times (read model, event stream, orchestration, statement) in UTC', () =>
    step(async () => {
      await dashboard.open('lookup', { params: { transfer: 't-done-1' } });
      await dashboard.lookup.transferResult.locator('ol.timeline').waitFor();
      const transfer = await read<TransferResponse>('/api/transfers/t-done-1');
      const events = await read<{ events: Array<{ metadata: { occurredAt: string } }> }>(
        '/api/transfers/t-done-1/events',
      );
      const instance = await read<{
        createdTime: string;
        lastUpdatedTime: string;
        historyEvents: Array<{ Timestamp: string }>;
      }>('/runtime/webhooks/durabletask/instances/t-done-1?showHistory=true');
      const instants = new Set(
        [
          transfer.requestedAt,
          transfer.deadline,
          ...events.events.map((e) => e.metadata.occurredAt),
          instance.createdTime,
          instance.lastUpdatedTime,
          ...instance.historyEvents.map((e) => e.Timestamp),
        ]
          .filter((iso): iso is string => typeof iso === 'string')
          .map((iso) => new Date(iso).toISOString()),
      );
      expectUtc(await shownTimes('#transfer-result'), instants);
      expect(await unlabelledTimes('#transfer-result')).toEqual([]);
      // The request was made at 00:07 UTC: 19:07 the day before in New York, never shown.
      expect(await dashboard.lookup.transferResult.textContent()).toContain('2026-01-01 00:07:00 UTC');
      expect(await dashboard.lookup.transferResult.textContent()).not.toContain('19:07');

      await dashboard.lookup.showAccount('acc-alice');
      await dashboard.lookup.accountResult.getByRole('table', { name: /^Statement/ }).waitFor();
      const statement = await read<{ entries: Array<{ at: string }> }>('/api/accounts/acc-alice/statement');
      const accountEvents = await read<{ events: Array<{ metadata: { occurredAt: string } }> }>(
        '/api/accounts/acc-alice/events',
      );
      await dashboard.lookup.accountResult.getByText(/^Event stream \(\d+ events\)$/).click();
      expectUtc(
        await shownTimes('#account-result'),
        new Set(
          [
            ...statement.entries.map((e) => e.at),
            ...accountEvents.events.map((e) => e.metadata.occurredAt),
          ].map((iso) => new Date(iso).toISOString()),
        ),
      );
      expect(await unlabelledTimes('#account-result')).toEqual([]);
    }));

  it('shows the monitor times in UTC and reads the times typed into its filter as UTC', () =>
    step(async () => {
      await dashboard.open('monitor');
      await dashboard.monitor.status.getByText(/^Showing \d+ instances?/).waitFor();
      // The filter's fields say which zone they are read in.
      await session.page.getByLabel('Created from (UTC)').waitFor();
      await session.page.getByLabel('Created to (UTC)').waitFor();
      // t-done-1 started at 00:07 UTC and t-waiting-1 at 00:31 UTC. Read as New York time, this
      // window would be 05:00-05:20 UTC and hold neither.
      await dashboard.monitor.filter({
        createdFrom: '2026-01-01T00:00',
        createdTo: '2026-01-01T00:20',
        prefix: 't-',
      });
      await dashboard.monitor.status.getByText(/^Showing 1 instance on page 1\.$/).waitFor();
      expect(await dashboard.monitor.instanceIds()).toEqual(['t-done-1']);
      await dashboard.monitor.filter({ createdFrom: '2026-01-01T00:20', prefix: 't-' });
      await dashboard.monitor.status.getByText(/^Showing 1 instance on page 1\.$/).waitFor();
      expect(await dashboard.monitor.instanceIds()).toEqual(['t-waiting-1']);

      await dashboard.monitor.openInstance('t-waiting-1');
      const instance = await read<{
        createdTime: string;
        lastUpdatedTime: string;
        historyEvents: Array<{ Timestamp: string }>;
      }>('/runtime/webhooks/durabletask/instances/t-waiting-1?showHistory=true');
      const instants = new Set(
        [
          instance.createdTime,
          instance.lastUpdatedTime,
          ...instance.historyEvents.map((e) => e.Timestamp),
        ].map((iso) => new Date(iso).toISOString()),
      );
      expectUtc(await shownTimes('#instance-detail'), instants);
      expectUtc(await shownTimes('#instances-table'), instants);
      // The custom status and the timers' due times are text: labelled too.
      expect(await unlabelledTimes('#monitor')).toEqual([]);
      expect(scriptErrors(session)).toEqual([]);
    }));
});
