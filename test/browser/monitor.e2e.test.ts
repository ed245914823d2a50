/**
 * The orchestrations monitor in Chromium against the host's real durable backend and Durable HTTP
 * API, with a small app of real orchestrations (fixtures/monitor-app): list, filter, page, open a
 * history timeline, raise an event, terminate, rewind, purge, and the refusals in words.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createDurableService } from '@cardflow/local-host';
import { createTestHost, type TestHost } from '@cardflow/local-host';
import { Callers } from '../support/callers';
import { accessibilityProblems } from './accessibility';
import { DashboardPage, type MonitorPanel } from './dashboardPage';
import {
  holdNextRequest,
  onFailureScreenshot,
  openBrowser,
  screenshot,
  scriptErrors,
  type BrowserSession,
} from './harness';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '..', '..');
const API = '/runtime/webhooks/durabletask';
const HOUR = 60 * 60 * 1000;

let host: TestHost;
let session: BrowserSession;
let dashboard: DashboardPage;
let monitor: MonitorPanel;

async function start(name: string, instanceId: string, input: unknown): Promise<void> {
  const response = await host.fetch(`${API}/orchestrators/${name}/${instanceId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  if (response.status !== 202)
    throw new Error(`starting ${instanceId}: ${response.status} ${await response.text()}`);
}

async function runtimeStatus(instanceId: string): Promise<string> {
  const response = await host.fetch(`${API}/instances/${instanceId}`);
  return ((await response.json()) as { runtimeStatus: string }).runtimeStatus;
}

const greetings = Array.from({ length: 10 }, (_, i) => `greet-${String(i + 1).padStart(2, '0')}`);

beforeAll(async () => {
  for (const built of ['dist/functions/dashboard.js', 'web/dist/main.js']) {
    if (!existsSync(path.join(ROOT, built)))
      throw new Error(`${built} is missing: run \`npm run build\` first (npm test does).`);
  }
  // Only the durable backend: the monitor needs nothing else from the host.
  host = await createTestHost({
    appRoot: path.join(__dirname, 'fixtures', 'monitor-app'),
    services: [createDurableService()],
    users: false,
  });
  // The monitor is offered to operators only.
  new Callers(host).as('olga', 'operator');
  for (const id of ['review-a1', 'review-b2', 'review-c3']) await start('ReviewProcess', id, { id });
  for (const id of greetings) await start('Greeting', id, id);
  await host.waitForIdle();
  session = await openBrowser();
  dashboard = new DashboardPage(session.page, host.baseUrl);
  monitor = dashboard.monitor;
  await onFailureScreenshot(session.page, () => dashboard.signIn('olga', 'monitor'));
});

afterAll(async () => {
  await session?.close();
  await host?.stop();
});

const step = <T>(fn: () => Promise<T>): Promise<T> =>
  onFailureScreenshot(session.page, fn, () => host.logs.entries.map((e) => `${e.level}: ${e.message}`));

describe('the orchestrations monitor', () => {
  it('filters the instance list by runtime status, id prefix and created time', () =>
    step(async () => {
      await dashboard.open('monitor');
      await monitor.status.getByText(/^Showing 13 instances on page 1\.$/).waitFor();

      await monitor.filter({ statuses: ['Running'] });
      await monitor.status.getByText(/^Showing 3 instances/).waitFor();
      expect((await monitor.instanceIds()).sort()).toEqual(['review-a1', 'review-b2', 'review-c3']);

      await monitor.filter({ statuses: ['Completed'], prefix: 'greet-0' });
      await monitor.status.getByText(/^Showing 9 instances/).waitFor();

      // The host runs on a virtual clock that starts at 2026-01-01T00:00Z; the browser is in UTC.
      await monitor.filter({ createdTo: '2025-12-31T23:00' });
      await monitor.status.getByText('No instances match the filter.').waitFor();
      await monitor.filter({
        createdFrom: '2025-12-31T23:00',
        createdTo: '2026-01-01T01:00',
        prefix: 'review-',
      });
      await monitor.status.getByText(/^Showing 3 instances/).waitFor();
      expect(scriptErrors(session)).toEqual([]);
    }));

  it('pages through the list, read from the Durable API with its continuation tokens', () =>
    step(async () => {
      await dashboard.open('monitor');
      await monitor.filter({ pageSize: 10 });
      await monitor.status.getByText('Showing 10 instances on page 1; more on the next page.').waitFor();
      const first = await monitor.instanceIds();
      await monitor.nextPage();
      await monitor.status.getByText(/^Showing 3 instances on page 2\.$/).waitFor();
      const second = await monitor.instanceIds();
      expect(new Set([...first, ...second]).size).toBe(13);
      expect(await session.page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
      await session.page.getByRole('button', { name: 'First page' }).click();
      await monitor.status.getByText(/on page 1;/).waitFor();
    }));

  it('opens an instance with its custom status and history timeline', () =>
    step(async () => {
      await dashboard.open('monitor', { params: { instance: 'review-a1' } });
      await monitor.detailHeading('review-a1').waitFor();
      expect(await session.page.evaluate(() => document.activeElement?.id)).toBe('instance-detail-title');
      // The custom status in words, in the list and in the detail (the raw value folded under it).
      await monitor.detail
        .locator('.custom-status')
        .getByText('Awaiting decision', { exact: true })
        .waitFor();
      expect(
        await monitor.table.locator('tr[data-instance-id="review-a1"] td.custom-status').textContent(),
      ).toBe('Awaiting decision');
      const lines = await monitor.timeline().allTextContents();
      expect(lines[0]).toMatch(/^2026-01-01 00:00:00 UTC Orchestration ReviewProcess started/);
      expect(lines.some((line) => /Activity CheckRequest completed/.test(line))).toBe(true);
      expect(
        lines.some((line) => /Timer waiting \(not finished\)due 2026-01-01 01:00:00 UTC/.test(line)),
      ).toBe(true);
      expect(await accessibilityProblems(session.page)).toEqual([]);
      await screenshot(session.page, 'dashboard monitor instance');
    }));

  it('raises an event after checking its JSON and confirming, and shows the instance move on', () =>
    step(async () => {
      await dashboard.open('monitor', { params: { instance: 'review-a1' } });
      await monitor.raiseEvent('Decision', '{decision: approve}');
      await monitor.detail.getByText(/^The event data is not valid JSON: /).waitFor();
      expect(await monitor.detail.getByLabel('Event data (JSON)').getAttribute('aria-invalid')).toBe('true');

      await monitor.raiseEvent('Decision', '{"decision": "approve"}');
      await dashboard.confirm('Raise event');
      await monitor.operationStatus.getByText('Event Decision raised on review-a1.').waitFor();
      await host.waitForIdle();
      expect(await runtimeStatus('review-a1')).toBe('Completed');
      await monitor.openInstance('review-a1');
      await monitor.timeline().filter({ hasText: 'Event Decision received' }).waitFor();
      await monitor.timeline().filter({ hasText: 'Orchestration completed' }).waitFor();
    }));

  it('says in words why the Durable API refused an operation the page still offered', () =>
    step(async () => {
      await start('ReviewProcess', 'review-gone', { id: 'review-gone' });
      await host.waitForIdle();
      await dashboard.open('monitor', { params: { instance: 'review-gone' } });
      await monitor.detail.getByRole('button', { name: 'Raise event' }).waitFor();
      // Behind the page's back, the instance finishes: the form it shows is stale.
      await host.fetch(`${API}/instances/review-gone/terminate?reason=elsewhere`, { method: 'POST' });
      await host.waitForIdle();
      await monitor.raiseEvent('Decision', '{}');
      await dashboard.confirm('Raise event');
      await monitor.operationStatus
        .getByText(/^Raising Decision failed: Gone \(410\): .*already finished/)
        .waitFor();
      // Reloaded, the finished instance is offered only what applies to it.
      await monitor.openInstance('review-gone');
      await monitor.detail.getByRole('button', { name: 'Purge' }).waitFor();
      expect(await offeredOperations(monitor)).toEqual(['Purge history']);
      await monitor.purge();
      await dashboard.confirm('Purge');
      await monitor.operationStatus.getByText('Purged review-gone (1 instance deleted).').waitFor();
    }));

  it('does nothing when the confirmation is cancelled', () =>
    step(async () => {
      await dashboard.open('monitor', { params: { instance: 'review-b2' } });
      await monitor.terminate('not really');
      await session.page.getByRole('dialog').getByRole('button', { name: 'Go back' }).click();
      await host.waitForIdle();
      expect(await runtimeStatus('review-b2')).toBe('Running');
      expect(await monitor.operationStatus.textContent()).toBe('');
    }));

  it('terminates and then purges an instance', () =>
    step(async () => {
      await dashboard.open('monitor', { params: { instance: 'review-b2' } });
      await monitor.terminate('operator test');
      await dashboard.confirm('Terminate');
      await monitor.operationStatus.getByText('Termination of review-b2 requested.').waitFor();
      await host.waitForIdle();
      expect(await runtimeStatus('review-b2')).toBe('Terminated');
      await monitor.openInstance('review-b2');
      await monitor.timeline().filter({ hasText: 'Orchestration terminated' }).waitFor();

      await monitor.purge();
      await dashboard.confirm('Purge');
      await monitor.operationStatus.getByText('Purged review-b2 (1 instance deleted).').waitFor();
      await monitor.table
        .getByRole('button', { name: 'Open instance review-b2' })
        .waitFor({ state: 'detached' });
      expect((await host.fetch(`${API}/instances/review-b2`)).status).toBe(404);
    }));

  it('auto-refreshes: an instance that times out shows as completed without a reload', () =>
    step(async () => {
      await dashboard.open('monitor', { pollMs: 300 });
      await monitor.filter({ prefix: 'review-c3' });
      const row = monitor.table.locator('tr[data-instance-id="review-c3"]');
      await row.getByText('Running').waitFor();
      await monitor.setAutoRefresh(true);
      await host.advance(2 * HOUR);
      expect(await runtimeStatus('review-c3')).toBe('Completed');
      await row.getByText('Completed').waitFor({ timeout: 10_000 });
      await row.getByText('expired').waitFor();
      await monitor.setAutoRefresh(false);
    }));

  it('shows the answer to the latest filter even when an earlier answer arrives after it', () =>
    step(async () => {
      await dashboard.open('monitor');
      await monitor.status.getByText(/^Showing \d+ instances on page 1/).waitFor();
      const slow = await holdNextRequest(
        session.page,
        (url) => url.pathname.endsWith('/durabletask/instances') && !url.searchParams.has('instanceIdPrefix'),
      );
      await session.page.getByRole('button', { name: 'Apply filter' }).click();
      await slow.arrived;
      await monitor.filter({ prefix: 'greet-0' });
      await monitor.status.getByText(/^Showing 9 instances on page 1\.$/).waitFor();
      slow.release();
      await slow.handled();
      expect(await monitor.status.textContent()).toBe('Showing 9 instances on page 1.');
      expect((await monitor.instanceIds()).every((id) => id.startsWith('greet-0'))).toBe(true);
    }));

  it('keeps showing the instance opened last when an earlier one answers late', () =>
    step(async () => {
      await dashboard.open('monitor');
      await monitor.filter({ prefix: 'greet-0' });
      await monitor.status.getByText(/^Showing 9 instances/).waitFor();
      const slow = await holdNextRequest(session.page, (url) =>
        url.pathname.endsWith('/durabletask/instances/greet-01'),
      );
      await monitor.table.getByRole('button', { name: 'Open instance greet-01' }).click();
      await slow.arrived;
      await monitor.openInstance('greet-02');
      slow.release();
      await slow.handled();
      // Operations on the shown detail must act on the instance the operator chose last.
      expect(await monitor.detail.getByRole('heading', { level: 3 }).textContent()).toBe('Instance greet-02');
    }));

  it('rewinds a failed instance so its failed activity runs again, and offers Rewind for failed instances only', () =>
    step(async () => {
      // Started here, not in beforeAll, so the counts the tests above expect stay as they are.
      await start('Settlement', 'settle-r1', 'settle-r1');
      await host.waitForIdle();
      expect(await runtimeStatus('settle-r1')).toBe('Failed');

      // Rewind is offered for a failed instance only.
      await dashboard.open('monitor', { params: { instance: 'greet-02' } });
      await monitor.detail.getByRole('button', { name: 'Purge' }).waitFor();
      expect(await offeredOperations(monitor)).toEqual(['Purge history']);
      // (The Durable API would refuse it, as Azure does: a completed instance cannot be rewound, 410 Gone.)
      const refused = await host.fetch(`${API}/instances/greet-02/rewind?reason=x`, { method: 'POST' });
      expect(refused.status).toBe(410);

      await dashboard.open('monitor', { params: { instance: 'settle-r1' } });
      await monitor.timeline().filter({ hasText: 'Activity SettleOnce failed' }).waitFor();
      expect(await offeredOperations(monitor)).toEqual(['Rewind', 'Purge history']);
      await monitor.rewind('settlement fixed');
      await dashboard.confirm('Rewind');
      await monitor.operationStatus.getByText('Rewind of settle-r1 requested.').waitFor();
      await host.waitForIdle();
      expect(await runtimeStatus('settle-r1')).toBe('Completed');
      await monitor.openInstance('settle-r1');
      await monitor.timeline().filter({ hasText: 'Orchestration completed' }).waitFor();
      // The rewound history no longer holds the failure, and the retry's result is the output.
      expect(await monitor.timeline().filter({ hasText: 'Activity SettleOnce failed' }).count()).toBe(0);
      // (The output sits in a folded section, so it is attached but not visible.)
      await monitor.detail
        .getByText(/"attempt":\s*2/)
        .first()
        .waitFor({ state: 'attached' });
    }));

  it('offers only the operations valid for the runtime status: Suspend when running, Resume when suspended', () =>
    step(async () => {
      await start('ReviewProcess', 'review-s1', { id: 'review-s1' });
      await host.waitForIdle();
      await dashboard.open('monitor', { params: { instance: 'review-s1' } });
      await monitor.detail.getByRole('button', { name: 'Suspend' }).waitFor();
      expect(await offeredOperations(monitor)).toEqual(['Raise event', 'Terminate', 'Suspend']);

      await monitor.reasonOperation('Suspend', 'looking into it');
      await dashboard.confirm('Suspend');
      await monitor.operationStatus.getByText('Suspension of review-s1 requested.').waitFor();
      await host.waitForIdle();
      expect(await runtimeStatus('review-s1')).toBe('Suspended');
      await monitor.detail.getByRole('button', { name: 'Resume' }).waitFor();
      expect(await offeredOperations(monitor)).toEqual(['Raise event', 'Terminate', 'Resume']);

      await monitor.reasonOperation('Resume', 'done looking');
      await dashboard.confirm('Resume');
      await monitor.operationStatus.getByText('Resumption of review-s1 requested.').waitFor();
      await host.waitForIdle();
      expect(await runtimeStatus('review-s1')).toBe('Running');
      await monitor.detail.getByRole('button', { name: 'Suspend' }).waitFor();

      // A completed instance: nothing but its purge; no Terminate, Raise event, Rewind or Resume.
      await dashboard.open('monitor', { params: { instance: 'greet-03' } });
      await monitor.detail.getByRole('button', { name: 'Purge' }).waitFor();
      expect(await offeredOperations(monitor)).toEqual(['Purge history']);
      for (const absent of ['Terminate', 'Raise event', 'Rewind', 'Resume', 'Suspend'])
        expect(await monitor.detail.getByRole('button', { name: absent, exact: true }).count()).toBe(0);
    }));

  it('lists the newest instances first and shows the one chosen at the top of the view', () =>
    step(async () => {
      await start('Greeting', 'late-1', 'late-1');
      await host.advance(60_000);
      await start('Greeting', 'late-2', 'late-2');
      await host.waitForIdle();
      await session.page.setViewportSize({ width: 1280, height: 600 });
      await dashboard.open('monitor');
      await monitor.status.getByText(/^Showing \d+ instances on page 1/).waitFor();
      const ids = await monitor.instanceIds();
      expect(ids.slice(0, 2)).toEqual(['late-2', 'late-1']);
      const created = await monitor.table
        .locator('tbody tr td:nth-child(5) time')
        .evaluateAll((times) => times.map((t) => Date.parse(t.getAttribute('datetime') ?? '')));
      expect(created).toEqual([...created].sort((a, b) => b - a));

      // The last row, scrolled down to; once chosen, its detail is in view above the list.
      const last = ids[ids.length - 1];
      const button = monitor.table.getByRole('button', { name: `Open instance ${last}` });
      await button.scrollIntoViewIfNeeded();
      await button.click();
      const heading = monitor.detailHeading(last);
      await heading.waitFor();
      const box = await heading.boundingBox();
      expect(box).not.toBeNull();
      expect(box!.y).toBeGreaterThanOrEqual(0);
      expect(box!.y + box!.height).toBeLessThanOrEqual(600);
      expect(await session.page.evaluate(() => document.activeElement?.id)).toBe('instance-detail-title');
      const detailFirst = await session.page.evaluate(
        () =>
          !!(
            document
              .getElementById('instance-detail')!
              .compareDocumentPosition(document.getElementById('instances-table')!) &
            Node.DOCUMENT_POSITION_FOLLOWING
          ),
      );
      expect(detailFirst).toBe(true);
      expect(await monitor.table.locator(`tr[data-instance-id="${last}"]`).getAttribute('aria-current')).toBe(
        'true',
      );
      expect(await accessibilityProblems(session.page)).toEqual([]);

      // Back to the list: the detail goes, the keyboard is on the row it came from.
      await monitor.detail.getByRole('button', { name: 'Back to the list' }).click();
      await monitor.detail.waitFor({ state: 'hidden' });
      expect(await session.page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
        `Open instance ${last}`,
      );
      await session.page.setViewportSize({ width: 1280, height: 900 });
    }));
});

/** The headings of the operations the shown instance is offered, in order. */
function offeredOperations(panel: MonitorPanel): Promise<string[]> {
  return panel.detail.locator('.operations h4').allTextContents();
}
