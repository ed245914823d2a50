/**
 * The look-up's "Trace" section: the traces the local host keeps for a transfer (its own, rooted
 * at `POST /api/transfers`, first; then single requests such as look-ups and the approver's
 * decision), and the chosen one drawn as a waterfall — one row per span, indented by depth, its
 * bar placed on the trace's time axis, its duration, component and status in text. Where the host
 * keeps no traces (Azure: Application Insights has them) it says so and where to look.
 */
import { ApiError } from './api.js';
import { h, instantElement } from './dom.js';
import { describeProblem } from './reasons.js';
import { TRANSFER_ROOT, type TraceClient, type TraceSummary } from './trace.js';
import { formatMs, layoutWaterfall, type TraceSpan, type Waterfall } from './waterfall.js';

const TITLE_ID = 'transfer-trace-title';

function errorText(error: unknown): string {
  if (error instanceof ApiError) return describeProblem(error.problem);
  return error instanceof Error ? error.message : String(error);
}

/** Where the traces are when this host keeps none. */
export function noTraceText(transferId: string, status: number): string {
  const where = `In Azure the app's traces go to Application Insights: open Application Insights → Transaction search and search for cardflow.transfer_id = ${transferId} to see its end-to-end transaction.`;
  return status === 404
    ? `This host keeps no traces. ${where}`
    : `This host keeps no trace of this transfer: the local host keeps traces only when started with traces on (npm start does), and only the most recent spans. ${where}`;
}

/** "no errors", "1 error", "3 errors". */
const count = (n: number, noun: string): string =>
  n === 0 ? `no ${noun}s` : n === 1 ? `1 ${noun}` : `${n} ${noun}s`;

function summaryLabel(trace: TraceSummary): string {
  const what = trace.name === TRANSFER_ROOT ? 'the transfer’s own trace' : 'a request of its own';
  const errors = count(trace.errors, 'error');
  return `${trace.name} (${what}): ${count(trace.spans, 'span')}, ${formatMs(trace.durationMs)}, ${errors}`;
}

/** The section, filling itself in as the host answers; a look-up appends it and forgets it. */
export function traceSection(client: TraceClient, transferId: string): HTMLElement {
  const status = h('p', { class: 'hint' }, 'Loading the transfer’s traces…');
  const body = h('div', { class: 'trace-body' });
  const section = h(
    'section',
    { class: 'trace', 'aria-labelledby': TITLE_ID },
    h('h4', { id: TITLE_ID }, 'Trace'),
    status,
    body,
  );
  /** Number of the latest trace asked for: an answer for an older choice is dropped. */
  let chosen = 0;

  const show = async (trace: TraceSummary, buttons: HTMLButtonElement[], index: number): Promise<void> => {
    const request = ++chosen;
    buttons.forEach((button, i) => button.setAttribute('aria-pressed', String(i === index)));
    const target = body.querySelector('.trace-waterfall') as HTMLElement;
    target.replaceChildren(h('p', { class: 'hint' }, `Loading trace ${trace.traceId}…`));
    let spans: TraceSpan[] | undefined;
    try {
      spans = await client.trace(trace.traceId);
    } catch (error) {
      if (request === chosen)
        target.replaceChildren(h('p', { class: 'status error' }, `Trace: ${errorText(error)}`));
      return;
    }
    if (request !== chosen) return;
    target.replaceChildren(
      spans && spans.length > 0
        ? waterfallTable(trace, layoutWaterfall(spans))
        : h('p', { class: 'hint' }, `The host no longer keeps trace ${trace.traceId}.`),
    );
  };

  const load = async (): Promise<void> => {
    let listing;
    try {
      listing = await client.tracesOf(transferId);
    } catch (error) {
      status.replaceWith(h('p', { class: 'status error' }, `Trace: ${errorText(error)}`));
      return;
    }
    if (!listing.kept) {
      status.replaceWith(h('p', { class: 'hint trace-none' }, noTraceText(transferId, listing.status)));
      return;
    }
    const { traces } = listing;
    status.replaceWith(
      h(
        'p',
        { class: 'hint' },
        `${traces.length === 1 ? 'One trace names' : `${traces.length} traces name`} this transfer, as the app exported them to this host (OpenTelemetry; in Azure, Application Insights → Transaction search).`,
      ),
    );
    const buttons = traces.map((trace) =>
      h(
        'button',
        { type: 'button', class: 'trace-choice', 'data-trace-id': trace.traceId },
        summaryLabel(trace),
      ),
    );
    buttons.forEach((button, i) => button.addEventListener('click', () => void show(traces[i], buttons, i)));
    body.replaceChildren(
      h(
        'ul',
        { class: 'trace-list', 'aria-label': `Traces of transfer ${transferId}` },
        ...traces.map((trace, i) =>
          h(
            'li',
            {},
            buttons[i],
            ' ',
            h('span', { class: 'hint' }, 'from ', instantElement(iso(trace.startMs))),
          ),
        ),
      ),
      h('div', { class: 'trace-waterfall' }),
    );
    await show(traces[0], buttons, 0);
  };
  void load();
  return section;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The waterfall: a table, one row per span in tree order, every fact in text beside its bar. */
function waterfallTable(trace: TraceSummary, waterfall: Waterfall): HTMLElement {
  const body = h('tbody');
  for (const row of waterfall.rows) {
    const name = h(
      'td',
      { class: 'span-name', 'data-depth': row.depth },
      h('span', { class: 'visually-hidden' }, `level ${row.depth + 1}: `),
      row.name,
    );
    name.style.setProperty('--depth', String(row.depth));
    const bar = h('span', { class: 'bar' });
    bar.style.setProperty('--offset', `${(row.offset * 100).toFixed(3)}%`);
    bar.style.setProperty('--width', `${(row.width * 100).toFixed(3)}%`);
    body.append(
      h(
        'tr',
        { class: row.status === 'error' ? 'span-error' : undefined, 'data-span-id': row.spanId },
        name,
        h('td', { class: 'component' }, row.component),
        h('td', { class: 'num duration' }, row.duration),
        h(
          'td',
          { class: 'span-status' },
          row.status === 'error' ? h('strong', { class: 'span-failed' }, row.statusText) : row.statusText,
        ),
        h(
          'td',
          { class: 'timing' },
          h('span', { class: 'track', 'aria-hidden': 'true' }, bar),
          h('span', { class: 'bar-at' }, `at +${formatMs(row.startOffsetMs)}`),
        ),
      ),
    );
  }
  const errors = count(waterfall.errors, 'error');
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'waterfall' },
      h(
        'caption',
        {},
        `Trace ${trace.name}: ${count(waterfall.rows.length, 'span')} over ${waterfall.duration}, ${errors}`,
        h(
          'span',
          { class: 'hint caption-hint mono' },
          `trace id ${trace.traceId}; each bar is when its span ran, on the whole trace's time axis`,
        ),
      ),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Span'),
          h('th', { scope: 'col' }, 'Component'),
          h('th', { scope: 'col', class: 'num' }, 'Duration'),
          h('th', { scope: 'col' }, 'Status'),
          h('th', { scope: 'col' }, 'When'),
        ),
      ),
      body,
    ),
  );
}
