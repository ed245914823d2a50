/**
 * One orchestration instance on screen: its status, custom status, input/output and history as a
 * timeline; in the monitor also the management operations of the Durable HTTP API.
 */
import { ApiError, type CardflowApi } from './api.js';
import type { InstanceStatus } from './contracts.js';
import { confirmAction, facts, h, pretty, setFieldError, setStatus } from './dom.js';
import { parseJsonInput } from './jsonInput.js';
import { describeProblem } from './reasons.js';
import { formatInstant } from './time.js';
import { formatDuration, toTimeline } from './timeline.js';

export function renderTimeline(status: InstanceStatus, labelId: string): HTMLElement {
  const entries = toTimeline(status.historyEvents ?? []);
  if (entries.length === 0) return h('p', { class: 'hint' }, 'No history recorded yet.');
  const list = h('ol', { class: 'timeline', 'aria-labelledby': labelId });
  for (const item of entries) {
    list.append(
      h(
        'li',
        { class: item.outcome },
        h('time', { class: 'when', datetime: item.at }, formatInstant(item.at)),
        ' ',
        h('span', { class: 'what' }, item.title),
        item.durationMs !== undefined
          ? h('span', { class: 'when' }, ` · ${formatDuration(item.durationMs)}`)
          : null,
        item.outcome === 'pending' ? h('span', { class: 'visually-hidden' }, ' (not finished)') : null,
        item.detail ? h('code', { class: 'detail-text' }, item.detail) : null,
      ),
    );
  }
  return list;
}

export function renderInstanceSummary(status: InstanceStatus): HTMLElement {
  return facts([
    ['Name', status.name],
    ['Status', h('span', { class: `runtime-status ${status.runtimeStatus}` }, status.runtimeStatus)],
    ['Custom status', h('code', {}, pretty(status.customStatus))],
    ['Created', formatInstant(status.createdTime)],
    ['Last updated', formatInstant(status.lastUpdatedTime)],
  ]);
}

function payloadBlock(title: string, value: unknown): HTMLElement | null {
  if (value === null || value === undefined) return null;
  return h('details', {}, h('summary', {}, title), h('pre', {}, pretty(value)));
}

/** The whole instance: summary, payloads, timeline (headings at `level`). */
export function renderInstance(status: InstanceStatus, idPrefix: string, level: 'h3' | 'h4'): HTMLElement[] {
  const historyId = `${idPrefix}-history`;
  return [
    renderInstanceSummary(status),
    ...[payloadBlock('Input', status.input), payloadBlock('Output', status.output)].filter(
      (x): x is HTMLElement => x !== null,
    ),
    h(level, { id: historyId }, 'History'),
    renderTimeline(status, historyId),
  ];
}

interface OperationContext {
  api: CardflowApi;
  instanceId: string;
  idPrefix: string;
  /** Where results are announced. */
  statusLine: HTMLElement;
  /** Called after an operation succeeded (reload the instance and the list). */
  changed(): void;
  /** Called after a purge: the instance no longer exists. */
  purged(): void;
}

function opForm(title: string, ...children: HTMLElement[]): HTMLFormElement {
  const form = h('form', { novalidate: true }, h('h4', {}, title), ...children);
  return form;
}

function textField(id: string, label: string, value = ''): { field: HTMLElement; input: HTMLInputElement } {
  const input = h('input', { id, type: 'text', value, spellcheck: 'false', autocomplete: 'off' });
  return { field: h('div', { class: 'field' }, h('label', { for: id }, label), input), input };
}

async function run(
  ctx: OperationContext,
  what: string,
  action: () => Promise<string>,
  after: () => void,
): Promise<void> {
  setStatus(ctx.statusLine, `${what}…`);
  try {
    const message = await action();
    setStatus(ctx.statusLine, message, 'ok');
    after();
  } catch (error) {
    const why =
      error instanceof ApiError
        ? describeProblem(error.problem)
        : error instanceof Error
          ? error.message
          : String(error);
    setStatus(ctx.statusLine, `${what} failed: ${why}`, 'error');
  }
}

/** Terminate, raise event, rewind and purge, each behind a confirmation. */
export function renderOperations(ctx: OperationContext): HTMLElement {
  const { api, instanceId, idPrefix } = ctx;

  const eventName = textField(`${idPrefix}-event-name`, 'Event name', 'ApprovalDecision');
  const bodyId = `${idPrefix}-event-body`;
  const bodyErrorId = `${bodyId}-error`;
  const body = h('textarea', { id: bodyId, rows: 4, spellcheck: 'false', 'aria-describedby': bodyErrorId });
  body.value = '{"decision": "approve", "approver": ""}';
  const bodyError = h('p', { id: bodyErrorId, class: 'field-error', hidden: true });
  const raise = opForm(
    'Raise event',
    eventName.field,
    h('div', { class: 'field' }, h('label', { for: bodyId }, 'Event data (JSON)'), body, bodyError),
    h('button', { type: 'submit' }, 'Raise event'),
  );
  raise.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = eventName.input.value.trim();
    const parsed = parseJsonInput(body.value);
    if (!name) {
      eventName.input.setAttribute('aria-invalid', 'true');
      setStatus(ctx.statusLine, 'Enter the event name.', 'error');
      eventName.input.focus();
      return;
    }
    eventName.input.removeAttribute('aria-invalid');
    if (!parsed.ok) {
      setFieldError(body, bodyError, parsed.message);
      body.focus();
      return;
    }
    setFieldError(body, bodyError, undefined);
    void confirmAction(`Raise the event "${name}" on ${instanceId}?`, 'Raise event').then((yes) => {
      if (!yes) return;
      void run(
        ctx,
        `Raising ${name}`,
        async () => {
          await api.raiseEvent(instanceId, name, parsed.value);
          return `Event ${name} raised on ${instanceId}.`;
        },
        ctx.changed,
      );
    });
  });

  const terminateReason = textField(
    `${idPrefix}-terminate-reason`,
    'Reason',
    'Terminated from the dashboard',
  );
  const terminate = opForm(
    'Terminate',
    terminateReason.field,
    h('button', { type: 'submit', class: 'danger' }, 'Terminate'),
  );
  terminate.addEventListener('submit', (event) => {
    event.preventDefault();
    void confirmAction(
      `Terminate ${instanceId}? It stops at once and does not compensate.`,
      'Terminate',
    ).then((yes) => {
      if (!yes) return;
      void run(
        ctx,
        'Terminating',
        async () => {
          await api.terminate(instanceId, terminateReason.input.value.trim());
          return `Termination of ${instanceId} requested.`;
        },
        ctx.changed,
      );
    });
  });

  const rewindReason = textField(`${idPrefix}-rewind-reason`, 'Reason', 'Rewound from the dashboard');
  const rewind = opForm('Rewind', rewindReason.field, h('button', { type: 'submit' }, 'Rewind'));
  rewind.addEventListener('submit', (event) => {
    event.preventDefault();
    void confirmAction(
      `Rewind the failed instance ${instanceId} to retry from its last failure?`,
      'Rewind',
    ).then((yes) => {
      if (!yes) return;
      void run(
        ctx,
        'Rewinding',
        async () => {
          await api.rewind(instanceId, rewindReason.input.value.trim());
          return `Rewind of ${instanceId} requested.`;
        },
        ctx.changed,
      );
    });
  });

  const purge = opForm(
    'Purge history',
    h('p', { class: 'hint' }, 'Deletes the instance and its history. It cannot be undone.'),
    h('button', { type: 'submit', class: 'danger' }, 'Purge'),
  );
  purge.addEventListener('submit', (event) => {
    event.preventDefault();
    void confirmAction(`Purge ${instanceId} and its history? This cannot be undone.`, 'Purge').then((yes) => {
      if (!yes) return;
      void run(
        ctx,
        'Purging',
        async () => {
          const result = await api.purge(instanceId);
          return `Purged ${instanceId} (${result.instancesDeleted} instance${result.instancesDeleted === 1 ? '' : 's'} deleted).`;
        },
        ctx.purged,
      );
    });
  });

  return h('div', { class: 'operations' }, raise, terminate, rewind, purge);
}
