/**
 * One trace per transfer, through every asynchronous hop, exported over OTLP/HTTP (protobuf, the
 * default) by the app's own OpenTelemetry set-up to the local host's receiver — a real OTLP
 * endpoint on loopback — and read back from `/runtime/traces` as the dashboard does:
 * HTTP request → command document → command handler → event appends → primary handler →
 * orchestration episodes → activities → the outflow-window entity → Event Grid → secondary
 * handlers; a decision and the activities it leads to join the same trace. A failing activity
 * attempt (a staged store outage) is marked as an error. Metrics arrive beside the traces.
 */
import type { ReceivedPoint, ReceivedSpan, TraceSummary } from '@cardflow/local-host';
import { outcomeOf, startApp, type App } from '../pipeline/harness';
import { stageAppends } from '../support/outage';

jest.setTimeout(120_000);

const TRANSFER = 'tr-traced-1';
let app: App;
let creditFailures = 1;

beforeAll(async () => {
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
  app = await startApp({
    traces: true,
    settings: {
      APPROVAL_THRESHOLD: '100000',
      OTEL_BSP_SCHEDULE_DELAY: '20',
      OTEL_METRIC_EXPORT_INTERVAL: '200',
    },
  });
  for (const [accountId, ownerId] of [
    ['acc-tt-alice', 'alice'],
    ['acc-tt-bob', 'bob'],
  ]) {
    const opened = await app.post('/api/accounts', { accountId, ownerId, ownerName: ownerId, kind: 'user' });
    expect((await outcomeOf(app, opened)).status).toBe('succeeded');
  }
  const loaded = await app.post('/api/accounts/acc-tt-alice/loads', { loadId: 'load-tt', amount: 500_000 });
  expect((await outcomeOf(app, loaded)).status).toBe('succeeded');
});
afterAll(() => app?.stop());

/** The traces in which some span names the transfer, once those spans include `expected`. */
async function tracesOf(
  transferId: string,
  expected: readonly string[],
): Promise<Array<{ summary: TraceSummary; spans: ReceivedSpan[] }>> {
  for (let i = 0; i < 200; i++) {
    const found = await app.host.fetch(`/runtime/traces?attribute=cardflow.transfer_id&value=${transferId}`);
    const { traces } = (await found.json()) as { traces: TraceSummary[] };
    const all = [];
    for (const summary of traces) {
      const trace = (await (await app.host.fetch(`/runtime/traces/${summary.traceId}`)).json()) as {
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

describe('a transfer approved by a person is one trace', () => {
  let spans: ReceivedSpan[];
  let others: Array<{ summary: TraceSummary; spans: ReceivedSpan[] }>;

  beforeAll(async () => {
    const requested = await app.post('/api/transfers', {
      transferId: TRANSFER,
      fromAccountId: 'acc-tt-alice',
      toAccountId: 'acc-tt-bob',
      amount: 150_000,
    });
    expect((await outcomeOf(app, requested)).status).toBe('succeeded');
    expect((await app.get(`/api/transfers/${TRANSFER}`)).body.status).toBe('awaiting_approval');
    const approved = await app.post(`/api/transfers/${TRANSFER}/decision`, { decision: 'approve' });
    expect((await outcomeOf(app, approved)).status).toBe('succeeded');
    // The first credit attempt fails (staged); its retry comes after the retry interval.
    for (let i = 0; i < 10 && (await app.get(`/api/transfers/${TRANSFER}`)).body.status !== 'completed'; i++)
      await app.host.advance(30_000);
    expect((await app.get(`/api/transfers/${TRANSFER}`)).body.status).toBe('completed');
    const traces = await tracesOf(TRANSFER, [
      'POST /api/transfers',
      'command RequestTransfer',
      'command DecideTransfer',
      'activity recordOutcome',
      'approvalsInbox Cardflow.Transfer.TransferCompleted',
    ]);
    const transfer = traces.filter((t) => t.summary.name === 'POST /api/transfers');
    expect(transfer).toHaveLength(1);
    spans = transfer[0].spans;
    others = traces.filter((t) => t !== transfer[0]);
  });

  it('shares one trace id, and forms one tree rooted at the HTTP request', () => {
    const ids = new Set(spans.map((span) => span.spanId));
    const roots = spans.filter((span) => !span.parentSpanId || !ids.has(span.parentSpanId));
    expect(roots.map((root) => root.name)).toEqual(['POST /api/transfers']);
    expect(roots[0].kind).toBe('server');
    expect(new Set(spans.map((span) => span.traceId)).size).toBe(1);
    // Every other trace naming the transfer is a request of its own: a look-up, or the approver's decision.
    for (const other of others) {
      expect(other.spans).toHaveLength(1);
      expect(other.spans[0].name).toMatch(
        /^(GET \/api\/transfers\/\{transferId\}|POST \/api\/transfers\/\{transferId\}\/decision)$/,
      );
    }
  });

  it('passes every hop, each span saying what happened', () => {
    const names = spans.map((span) => span.name);
    for (const name of [
      'command RequestTransfer',
      'append transfer-tr-traced-1',
      'handle events transfer-tr-traced-1',
      'orchestration transferProcess episode',
      'activity reserveFunds',
      'entity outflowWindow.assess',
      'activity requestApproval',
      'command DecideTransfer',
      'activity recordApprovalDecision',
      'activity creditDestination',
      'activity recordOutcome',
      'approvalsInbox Cardflow.Transfer.TransferApprovalRequested',
      'auditLog Cardflow.Transfer.TransferCompleted',
    ])
      expect(names).toContain(name);
    const command = spans.find((span) => span.name === 'command RequestTransfer');
    expect(command?.attributes).toMatchObject({
      'cardflow.command.type': 'RequestTransfer',
      'cardflow.command.outcome': 'succeeded',
      'cardflow.transfer_id': TRANSFER,
    });
    const append = spans.find((span) => span.name === 'append transfer-tr-traced-1');
    expect(append?.attributes).toMatchObject({
      'cardflow.stream.version': 1,
      'cardflow.event.types': ['TransferRequested'],
    });
    // The process went through several episodes (started, approval awaited, decided, credit retried).
    expect(names.filter((name) => name === 'orchestration transferProcess episode').length).toBeGreaterThan(
      2,
    );
  });

  it('marks the failed credit attempt as an error, and the retry that succeeded as not', () => {
    const credits = spans.filter((span) => span.name === 'activity creditDestination');
    expect(credits.map((span) => span.status)).toEqual(expect.arrayContaining(['error', 'unset']));
    expect(credits.find((span) => span.status === 'error')?.statusMessage).toMatch(/unreachable/);
  });

  it('keeps the decision inside the transfer’s trace, linking the approver’s own request', () => {
    const decision = spans.find((span) => span.name === 'command DecideTransfer');
    const asked = others.find((t) => t.summary.name === 'POST /api/transfers/{transferId}/decision');
    expect(decision?.links).toEqual([{ traceId: asked?.summary.traceId, spanId: asked?.spans[0].spanId }]);
  });

  it('logs one line with the transfer, invocation and trace ids', () => {
    const line = app.host.logs.lines().find((l) => l.includes(`started the process of transfer ${TRANSFER}`));
    expect(line).toMatch(
      new RegExp(`· transferId=${TRANSFER} invocationId=[0-9a-f-]{36} traceId=${spans[0].traceId}$`),
    );
  });

  it('exports the metrics beside the traces', async () => {
    const wanted = [
      'cardflow.commands',
      'cardflow.change_feed.lag',
      'cardflow.eventgrid.deliveries',
      'cardflow.transfers',
      'cardflow.transfer.duration',
      'cardflow.approval.wait',
    ];
    for (let i = 0; i < 100; i++) {
      const listed = (await (await app.host.fetch('/runtime/metrics')).json()) as {
        metrics: ReceivedPoint[];
      };
      const names = new Set(listed.metrics.map((point) => point.name));
      if (wanted.every((name) => names.has(name))) {
        expect(listed.metrics).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              name: 'cardflow.commands',
              attributes: { type: 'DecideTransfer', outcome: 'succeeded' },
            }),
            expect.objectContaining({
              name: 'cardflow.transfers',
              attributes: { outcome: 'completed' },
              value: 1,
            }),
            expect.objectContaining({
              name: 'cardflow.approval.wait',
              attributes: { decision: 'approved' },
              count: 1,
            }),
            expect.objectContaining({
              name: 'cardflow.change_feed.lag',
              attributes: { container: 'events' },
            }),
            expect.objectContaining({
              name: 'cardflow.eventgrid.deliveries',
              attributes: { handler: 'auditLog', outcome: 'recorded' },
            }),
          ]),
        );
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('metrics did not arrive');
  });
});
