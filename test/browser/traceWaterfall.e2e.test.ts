/**
 * A transfer's trace in the look-up (issue 14): on a local host with traces on, a transfer over the
 * approval threshold, approved by an approver, its first credit attempt failing (a staged store
 * outage) — the operator's look-up lists the transfer's traces, its own first, and draws it as a
 * waterfall: a row per span (the HTTP request, the command handler, the primary handler, the
 * orchestration's episodes, the activities, the secondary handlers), indented by depth, each with
 * its bar, duration, component and status; the failed attempt an error row with its message. A
 * transfer the host keeps no trace of, and a host without trace routes (Azure), are explained.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { createTestHost, type ReceivedSpan, type TestHost, type TraceSummary } from '@cardflow/local-host';
import { accessibilityProblems } from './accessibility';
import {
  READER,
  Scenario,
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
  RESULTS_DIR,
  scriptErrors,
  type BrowserSession,
} from './harness';
import { stageAppends } from '../support/outage';

jest.setTimeout(180_000);

const ROOT = path.resolve(__dirname, '..', '..');
const TRANSFER = 'tr-waterfall-1';

let host: TestHost;
let app: Scenario;
let session: BrowserSession;
let dashboard: DashboardPage;
let creditFailures = 1;

const step = <T>(fn: () => Promise<T>): Promise<T> =>
  onFailureScreenshot(session.page, fn, () => host.logs.entries.map((e) => `${e.level}: ${e.message}`));

/** The host's traces naming the transfer, once their spans include every name `expected`. */
async function tracesOf(
  transferId: string,
  expected: readonly string[],
): Promise<Array<{ summary: TraceSummary; spans: ReceivedSpan[] }>> {
  for (let i = 0; i < 300; i++) {
    const found = await host.fetch(`/runtime/traces?attribute=cardflow.transfer_id&value=${transferId}`);
    const { traces } = (await found.json()) as { traces: TraceSummary[] };
    const all = [];
    for (const summary of traces) {
      const trace = (await (await host.fetch(`/runtime/traces/${summary.traceId}`)).json()) as {
        spans: ReceivedSpan[];
      };
      all.push({ summary, spans: trace.spans });
    }
    const names = new Set(all.flatMap((t) => t.spans.map((span) => span.name)));
    if (expected.every((name) => names.has(name))) return all;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`spans missing for ${transferId}`);
}

let traces: Array<{ summary: TraceSummary; spans: ReceivedSpan[] }>;

beforeAll(async () => {
  for (const built of ['dist/functions/index.js', 'dist/functions/dashboard.js', 'web/dist/main.js']) {
    if (!existsSync(path.join(ROOT, built)))
      throw new Error(`${built} is missing: run \`npm run build\` first (npm test does).`);
  }
  stageAppends((_streamId, events) => {
    if (creditFailures > 0 && events.some((event) => event.type === 'FundsTransferredIn')) {
      creditFailures -= 1;
      throw new Error('the store is unreachable (staged)');
    }
  });
  for (const name of [
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
  ])
    delete process.env[name];
  host = await createTestHost({
    appRoot: ROOT,
    users: false,
    traces: true,
    settings: { OTEL_BSP_SCHEDULE_DELAY: '20' },
  });
  app = new Scenario(host, { alice: ['customer'], bob: ['customer'], dave: ['approver'] });
  await openAccount(app, 'acc-wf-alice', 'alice', 'Alice');
  await openAccount(app, 'acc-wf-bob', 'bob', 'Bob');
  await loadCredits(app, 'acc-wf-alice', 'load-wf-1', 500_000);
  await requestTransfer(app, {
    transferId: TRANSFER,
    fromAccountId: 'acc-wf-alice',
    toAccountId: 'acc-wf-bob',
    amount: 150_000,
    requestedBy: 'alice',
  });
  expect(await transferStatus(app, TRANSFER)).toBe('awaiting_approval');
  await decide(app, TRANSFER, 'approve', 'dave');
  // The first credit attempt fails (staged); its retry comes after the retry interval.
  for (let i = 0; i < 10 && (await transferStatus(app, TRANSFER)) !== 'completed'; i++)
    await host.advance(30_000);
  expect(await transferStatus(app, TRANSFER)).toBe('completed');
  traces = await tracesOf(TRANSFER, [
    'POST /api/transfers',
    'command RequestTransfer',
    'command DecideTransfer',
    'activity recordOutcome',
    'approvalsInbox Cardflow.Transfer.TransferCompleted',
    'auditLog Cardflow.Transfer.TransferCompleted',
  ]);
  session = await openBrowser();
  dashboard = new DashboardPage(session.page, host.baseUrl);
  await dashboard.signIn(READER, 'lookup');
});

afterAll(async () => {
  await session?.close();
  await host?.stop();
});

const waterfallRows = () => dashboard.lookup.transferResult.locator('table.waterfall tbody > tr');

/** Each row's cells: span (with its hidden "level N: "), component, duration, status, when. */
async function rows(): Promise<Array<{ name: string; component: string; duration: string; status: string }>> {
  return (await rowTexts(waterfallRows())).map(([name, component, duration, status]) => ({
    name: name.replace(/^level \d+: /, ''),
    component,
    duration,
    status,
  }));
}

describe('the look-up shows a transfer’s trace as a waterfall', () => {
  it('lists the transfer’s traces, its own first and chosen', () =>
    step(async () => {
      await dashboard.open('lookup', { params: { transfer: TRANSFER } });
      const section = session.page.getByRole('region', { name: 'Trace' });
      await section.getByRole('table').waitFor();
      const choices = section
        .getByRole('list', { name: `Traces of transfer ${TRANSFER}` })
        .getByRole('button');
      const labels = await choices.allTextContents();
      // Every trace the host had, and perhaps the newest look-ups' (this page's own among them).
      const shownIds = await choices.evaluateAll((buttons) =>
        buttons.map((button) => (button as HTMLElement).dataset.traceId),
      );
      expect(shownIds).toEqual(expect.arrayContaining(traces.map((t) => t.summary.traceId)));
      const own = traces.find((t) => t.summary.name === 'POST /api/transfers');
      const errors = own?.summary.errors === 1 ? '1 error' : `${own?.summary.errors} errors`;
      expect(labels[0]).toMatch(
        new RegExp(
          `^POST /api/transfers \\(the transfer’s own trace\\): ${own?.spans.length} spans, [\\d,.]+ ms, ${errors}$`,
        ),
      );
      expect(labels.slice(1).every((label) => label.includes('(a request of its own): 1 span'))).toBe(true);
      expect(labels).toContainEqual(
        expect.stringMatching(/^POST \/api\/transfers\/\{transferId\}\/decision /),
      );
      expect(await choices.first().getAttribute('aria-pressed')).toBe('true');
      await expect(section.getByRole('table').locator('caption').textContent()).resolves.toMatch(
        new RegExp(`^Trace POST /api/transfers: ${own?.spans.length} spans over [\\d,.]+ ms, ${errors}`),
      );
      expect(scriptErrors(session)).toEqual([]);
    }));

  it('has a row per span with its duration, component and status, for every hop', () =>
    step(async () => {
      const shown = await rows();
      const own = traces.find((t) => t.summary.name === 'POST /api/transfers');
      expect(shown.map((row) => row.name)).toHaveLength(own?.spans.length ?? -1);
      const expected: Array<[string, string]> = [
        ['POST /api/transfers', 'http api'],
        ['command RequestTransfer', 'command handler'],
        [`append transfer-${TRANSFER}`, 'event store'],
        [`handle events transfer-${TRANSFER}`, 'primary handler'],
        ['orchestration transferProcess episode', 'orchestration'],
        ['activity reserveFunds', 'activity'],
        ['activity requestApproval', 'activity'],
        ['command DecideTransfer', 'command handler'],
        ['activity creditDestination', 'activity'],
        ['activity recordOutcome', 'activity'],
        ['approvalsInbox Cardflow.Transfer.TransferCompleted', 'secondary handler'],
      ];
      for (const [name, component] of expected)
        expect(shown).toContainEqual(expect.objectContaining({ name, component }));
      for (const row of shown) {
        expect(row.duration).toMatch(/^\d[\d,]*(\.\d+)? ms$/);
        expect(row.component).not.toBe('');
        expect(row.status).toMatch(/^(OK|No error|Error(: .+)?)$/);
      }
      // The root first, at depth 0; the command under it, indented further.
      expect(shown[0].name).toBe('POST /api/transfers');
      const depthOf = (name: string) =>
        waterfallRows()
          .filter({ has: session.page.locator('td.span-name', { hasText: name }) })
          .first()
          .locator('td.span-name');
      expect(await depthOf('POST /api/transfers').getAttribute('data-depth')).toBe('0');
      expect(await depthOf('command RequestTransfer').getAttribute('data-depth')).toBe('1');
      const indent = async (name: string) =>
        parseFloat(await depthOf(name).evaluate((td) => getComputedStyle(td).paddingLeft));
      expect(await indent(`append transfer-${TRANSFER}`)).toBeGreaterThan(
        await indent('command RequestTransfer'),
      );
      expect(await indent('command RequestTransfer')).toBeGreaterThan(await indent('POST /api/transfers'));
    }));

  it('positions each bar by its start and sizes it by its duration', () =>
    step(async () => {
      const own = traces.find((t) => t.summary.name === 'POST /api/transfers');
      const spans = own?.spans ?? [];
      const start = Math.min(...spans.map((s) => s.startMs));
      const total = Math.max(...spans.map((s) => s.startMs + s.durationMs)) - start;
      const boxes = await waterfallRows().evaluateAll((trs) =>
        trs.map((tr) => {
          const track = tr.querySelector('.track')?.getBoundingClientRect();
          const bar = tr.querySelector('.bar')?.getBoundingClientRect();
          return {
            spanId: (tr as HTMLElement).dataset.spanId ?? '',
            left: bar && track ? (bar.left - track.left) / track.width : NaN,
            right: bar && track ? (bar.right - track.left) / track.width : NaN,
            width: bar && track ? bar.width / track.width : NaN,
          };
        }),
      );
      expect(boxes).toHaveLength(spans.length);
      for (const box of boxes) {
        const span = spans.find((s) => s.spanId === box.spanId) as ReceivedSpan;
        expect(span).toBeDefined();
        // Within a pixel or two of a track some 100 px wide: 3 %.
        expect(Math.abs(box.left - (span.startMs - start) / total)).toBeLessThan(0.03);
        expect(box.right).toBeLessThanOrEqual(1.03);
        if (span.durationMs / total > 0.05)
          expect(Math.abs(box.width - span.durationMs / total)).toBeLessThan(0.03);
      }
      // The request starts the trace; the last hop (a secondary handler, long after the answer) ends it.
      expect(boxes[0].left).toBeLessThan(0.03);
      expect(Math.max(...boxes.map((box) => box.right))).toBeGreaterThan(0.97);
    }));

  it('marks the failed credit attempt as an error row with its message, the retry not', () =>
    step(async () => {
      const credits = (await rows()).filter((row) => row.name === 'activity creditDestination');
      expect(credits.length).toBeGreaterThanOrEqual(2);
      const failed = credits.filter((row) => row.status.startsWith('Error'));
      expect(failed).toHaveLength(1);
      expect(failed[0].status).toMatch(/^Error: .*the store is unreachable \(staged\)/);
      expect(credits.some((row) => row.status === 'No error' || row.status === 'OK')).toBe(true);
      // Every span in error, and only those, is an error row (the staged outage may fail its episode too).
      const own = traces.find((t) => t.summary.name === 'POST /api/transfers');
      const errorRows = waterfallRows().and(session.page.locator('tr.span-error'));
      expect(
        await errorRows.evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.spanId)),
      ).toEqual(
        expect.arrayContaining(
          (own?.spans ?? []).filter((span) => span.status === 'error').map((span) => span.spanId),
        ),
      );
      await expect(errorRows.count()).resolves.toBe(
        (own?.spans ?? []).filter((span) => span.status === 'error').length,
      );
      expect(await errorRows.first().locator('td.span-status strong').textContent()).toMatch(/^Error: /);
    }));

  it('passes the accessibility checks, contrast included, in light and dark mode', () =>
    step(async () => {
      for (const scheme of ['light', 'dark'] as const) {
        await session.page.emulateMedia({ colorScheme: scheme });
        expect(await accessibilityProblems(session.page)).toEqual([]);
      }
      await session.page.emulateMedia({ colorScheme: null });
      // A picture of the waterfall, for people reviewing it (test-results/trace-waterfall.png).
      mkdirSync(RESULTS_DIR, { recursive: true });
      await session.page
        .getByRole('region', { name: 'Trace' })
        .screenshot({ path: path.join(RESULTS_DIR, 'trace-waterfall.png') });
    }));

  it('draws another of its traces when it is chosen: the approver’s decision', () =>
    step(async () => {
      const section = session.page.getByRole('region', { name: 'Trace' });
      const choice = section.getByRole('button', {
        name: /^POST \/api\/transfers\/\{transferId\}\/decision /,
      });
      await choice.click();
      await section
        .locator('table.waterfall caption', {
          hasText: /^Trace POST \/api\/transfers\/\{transferId\}\/decision: 1 span over/,
        })
        .waitFor();
      expect(await choice.getAttribute('aria-pressed')).toBe('true');
      const shown = await rows();
      expect(shown).toEqual([
        expect.objectContaining({ name: 'POST /api/transfers/{transferId}/decision', component: 'http api' }),
      ]);
    }));
});

describe('where the host keeps no trace', () => {
  it('says so for a transfer it has no trace of, and where to look', () =>
    step(async () => {
      const unknown = 'tr-never-traced';
      await dashboard.open('lookup');
      // The look-up's own requests name the transfer too: held until the host has answered for its traces.
      const read = await holdNextRequest(session.page, (url) => url.pathname === `/api/transfers/${unknown}`);
      const events = await holdNextRequest(
        session.page,
        (url) => url.pathname === `/api/transfers/${unknown}/events`,
      );
      const asked = session.page.waitForResponse(
        (response) =>
          new URL(response.url()).pathname === '/runtime/traces' && response.url().includes(unknown),
      );
      await dashboard.lookup.showTransfer(unknown);
      await asked;
      read.release();
      events.release();
      const none = dashboard.lookup.transferResult.locator('.trace-none');
      await none.waitFor();
      expect(await none.textContent()).toBe(
        `This host keeps no trace of this transfer: the local host keeps traces only when started with traces on (npm start does), and only the most recent spans. In Azure the app's traces go to Application Insights: open Application Insights → Transaction search and search for cardflow.transfer_id = ${unknown} to see its end-to-end transaction.`,
      );
      await expect(dashboard.lookup.transferResult.locator('table.waterfall').count()).resolves.toBe(0);
    }));

  it('says so where the host has no trace routes (Azure), and the rest of the look-up stands', () =>
    step(async () => {
      await dashboard.open('lookup');
      const traceRoutes = (url: URL): boolean => url.pathname.startsWith('/runtime/traces');
      await session.page.route(traceRoutes, (route) =>
        route.fulfill({
          status: 404,
          contentType: 'text/plain',
          body: 'Not Found',
        }),
      );
      try {
        await dashboard.lookup.showTransfer(TRANSFER);
        const none = dashboard.lookup.transferResult.locator('.trace-none');
        await none.waitFor();
        expect(await none.textContent()).toMatch(
          /^This host keeps no traces\. In Azure .*Application Insights → Transaction search .*cardflow\.transfer_id = tr-waterfall-1/,
        );
        await dashboard.lookup.transferResult
          .getByRole('heading', { name: `Transfer ${TRANSFER}` })
          .waitFor();
        expect(await dashboard.lookup.transferEvents().count()).toBeGreaterThan(0);
        await dashboard.lookup.transferResult.getByRole('heading', { name: 'Orchestration' }).waitFor();
        expect(await accessibilityProblems(session.page)).toEqual([]);
      } finally {
        await session.page.unroute(traceRoutes);
      }
    }));
});
