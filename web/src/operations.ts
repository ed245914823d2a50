/**
 * The monitor's operations on one instance: only those its runtime status allows
 * (instanceActions.ts), each behind a confirmation. For a transfer's process the domain's
 * "Cancel transfer" comes first, Terminate says what it leaves to the reconciler, and a raised
 * `ApprovalDecision` is followed until the process shows whether it took it.
 */
import { ApiError, pollUntil, type CardflowApi } from './api.js';
import type { InstanceStatus } from './contracts.js';
import { summariseCustomStatus } from './customStatus.js';
import { confirmAction, h, setFieldError, setStatus } from './dom.js';
import { actionsFor, isFinalStatus, type InstanceAction } from './instanceActions.js';
import { parseJsonInput } from './jsonInput.js';
import { describeProblem, describeReason } from './reasons.js';
import type { Session } from './session.js';
import {
  APPROVAL_DECISION_EVENT,
  approvalDecisionProblem,
  cancelOffer,
  decisionTemplate,
  judgeRaisedDecision,
  RECONCILER_GRACE_TEXT,
  RECONCILER_INTERVAL_TEXT,
  transferOf,
  type DecisionVerdict,
  type TransferOfInstance,
} from './transferInstance.js';

export interface OperationContext {
  api: CardflowApi;
  instance: InstanceStatus;
  session: Session;
  idPrefix: string;
  /** Where results are announced. */
  statusLine: HTMLElement;
  /** How the monitor follows what an operation caused. */
  follow: { intervalMs: number; timeoutMs: number };
  /** Called after an operation succeeded (reload the instance and the list). */
  changed(): void;
  /** Called after a purge: the instance no longer exists. */
  purged(): void;
}

type Tone = 'info' | 'ok' | 'error';

function errorText(error: unknown): string {
  if (error instanceof ApiError) return describeProblem(error.problem);
  return error instanceof Error ? error.message : String(error);
}

function opForm(title: string, ...children: Array<HTMLElement | null>): HTMLFormElement {
  return h('form', { novalidate: true }, h('h4', {}, title), ...children);
}

function textField(id: string, label: string, value = ''): { field: HTMLElement; input: HTMLInputElement } {
  const input = h('input', { id, type: 'text', value, spellcheck: 'false', autocomplete: 'off' });
  return { field: h('div', { class: 'field' }, h('label', { for: id }, label), input), input };
}

/** Runs an operation, announcing progress, its result (or why it failed), then `after`. */
async function run(
  ctx: OperationContext,
  what: string,
  action: () => Promise<string | { message: string; tone: Tone }>,
  after: () => void,
): Promise<void> {
  setStatus(ctx.statusLine, `${what}…`);
  try {
    const result = await action();
    if (typeof result === 'string') setStatus(ctx.statusLine, result, 'ok');
    else setStatus(ctx.statusLine, result.message, result.tone);
    after();
  } catch (error) {
    setStatus(ctx.statusLine, `${what} failed: ${errorText(error)}`, 'error');
  }
}

/** A form whose submit asks `question` and, confirmed, runs the operation. */
function confirmed(
  form: HTMLFormElement,
  question: () => string | undefined,
  confirmLabel: string,
  go: () => void,
  dismissLabel?: string,
): HTMLFormElement {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const asked = question();
    if (asked === undefined) return;
    void confirmAction(asked, confirmLabel, dismissLabel).then((yes) => {
      if (yes) go();
    });
  });
  return form;
}

/** The operations offered for `ctx.instance`, the transfer's cancel first. */
export function renderOperations(ctx: OperationContext): HTMLElement {
  const { instance } = ctx;
  const transfer = transferOf(instance);
  const offered = actionsFor(instance.runtimeStatus);
  const builders: Record<InstanceAction, () => HTMLElement> = {
    raiseEvent: () => raiseEventForm(ctx, transfer),
    terminate: () => terminateForm(ctx, transfer),
    suspend: () => reasonForm(ctx, 'suspend'),
    resume: () => reasonForm(ctx, 'resume'),
    rewind: () => reasonForm(ctx, 'rewind'),
    purge: () => purgeForm(ctx, transfer),
  };
  const forms = [
    ...(transfer ? [cancelTransferForm(ctx, transfer)] : []),
    ...offered.map((action) => builders[action]()),
  ];
  const none =
    offered.length === 0
      ? h(
          'p',
          { class: 'hint' },
          `No operation of the Durable HTTP API applies to a ${instance.runtimeStatus} instance.`,
        )
      : null;
  const wrap = h('div', { class: 'operations' }, ...forms);
  wrap.dataset.actions = offered.join(' ');
  return none ? h('div', {}, wrap, none) : wrap;
}

// ---- the transfer's own operation

function cancelTransferForm(ctx: OperationContext, transfer: TransferOfInstance): HTMLElement {
  const offer = cancelOffer(ctx.instance);
  const explain = h(
    'p',
    { class: 'hint' },
    'The domain operation: the process leaves its wait (for approval, or to retry a reservation or a credit that failed) through the transfer machine, releases the reservation, gives back its share of the 24-hour window and records the transfer failed, naming you and your note. Once the destination is credited it is too late (already credited).',
  );
  const lookup = h(
    'p',
    {},
    h('a', { href: `#lookup?transfer=${encodeURIComponent(transfer.transferId)}` }, 'Look up this transfer'),
  );
  if (!offer.offered)
    return h(
      'div',
      { class: 'operation transfer-op' },
      h('h4', {}, 'Cancel transfer'),
      explain,
      h('p', {}, offer.why),
      lookup,
    );
  const noteId = `${ctx.idPrefix}-cancel-note`;
  const noteErrorId = `${noteId}-error`;
  const note = h('textarea', { id: noteId, rows: 2, 'aria-describedby': noteErrorId, required: true });
  const noteError = h('p', { id: noteErrorId, class: 'field-error', hidden: true });
  const form = opForm(
    'Cancel transfer',
    explain,
    h(
      'div',
      { class: 'field' },
      h('label', { for: noteId }, 'Why (recorded with the cancel)'),
      note,
      noteError,
    ),
    h('button', { type: 'submit', class: 'danger' }, 'Cancel transfer'),
    lookup,
  );
  form.classList.add('transfer-op');
  return confirmed(
    form,
    () => {
      if (note.value.trim() === '') {
        setFieldError(note, noteError, 'Say why the transfer is cancelled.');
        note.focus();
        return undefined;
      }
      setFieldError(note, noteError, undefined);
      return `Cancel transfer ${transfer.transferId}? Its reservation is released and it ends failed.`;
    },
    'Cancel transfer',
    () =>
      void run(
        ctx,
        `Cancelling transfer ${transfer.transferId}`,
        () => cancelAndFollow(ctx, transfer.transferId, note.value.trim()),
        ctx.changed,
      ),
    'Keep the transfer',
  );
}

async function cancelAndFollow(
  ctx: OperationContext,
  transferId: string,
  note: string,
): Promise<{ message: string; tone: Tone }> {
  const { api, follow } = ctx;
  const accepted = await api.cancelTransfer(transferId, { note });
  setStatus(ctx.statusLine, `The cancel of ${transferId} was accepted; waiting for the process…`);
  const command = await pollUntil(
    () => api.command(accepted.commandId),
    (c) => c.status !== 'pending',
    follow,
  );
  if (command.value.status === 'pending')
    return {
      message: `The cancel of ${transferId} is still being processed (command ${accepted.commandId}).`,
      tone: 'info',
    };
  if (command.value.status !== 'succeeded')
    return {
      message: `The cancel of ${transferId} was refused: ${describeReason(command.value.reason ?? command.value.status)}.`,
      tone: 'error',
    };
  const ended = await pollUntil(
    () => api.instance(transferId, { showHistory: false }),
    (i) => isFinalStatus(i.runtimeStatus),
    follow,
  );
  if (!ended.final)
    return {
      message:
        ended.value.runtimeStatus === 'Suspended'
          ? `The cancel of ${transferId} was accepted; the process is suspended and cancels the transfer when it is resumed.`
          : `Transfer ${transferId} is being cancelled: ${summariseCustomStatus(ended.value.customStatus)}.`,
      tone: 'info',
    };
  return {
    message: `Transfer ${transferId} cancelled; its reservation is released. ${summariseCustomStatus(ended.value.customStatus)}.`,
    tone: 'ok',
  };
}

// ---- the Durable HTTP API's operations

function raiseEventForm(ctx: OperationContext, transfer: TransferOfInstance | undefined): HTMLElement {
  const { api, instance, idPrefix } = ctx;
  const instanceId = instance.instanceId;
  const eventName = textField(
    `${idPrefix}-event-name`,
    'Event name',
    transfer ? APPROVAL_DECISION_EVENT : '',
  );
  const bodyId = `${idPrefix}-event-body`;
  const bodyErrorId = `${bodyId}-error`;
  const body = h('textarea', { id: bodyId, rows: 5, spellcheck: 'false', 'aria-describedby': bodyErrorId });
  body.value = transfer ? decisionTemplate(ctx.session.id) : '{}';
  const bodyError = h('p', { id: bodyErrorId, class: 'field-error', hidden: true });
  const form = opForm(
    'Raise event',
    transfer
      ? h(
          'p',
          { class: 'hint' },
          'An ApprovalDecision raised here goes to the transfer machine, which applies the four-eyes rule; the result says whether the process took it.',
        )
      : null,
    eventName.field,
    h('div', { class: 'field' }, h('label', { for: bodyId }, 'Event data (JSON)'), body, bodyError),
    h('button', { type: 'submit' }, 'Raise event'),
  );
  let name = '';
  let value: unknown;
  return confirmed(
    form,
    () => {
      name = eventName.input.value.trim();
      const parsed = parseJsonInput(body.value);
      if (!name) {
        eventName.input.setAttribute('aria-invalid', 'true');
        setStatus(ctx.statusLine, 'Enter the event name.', 'error');
        eventName.input.focus();
        return undefined;
      }
      eventName.input.removeAttribute('aria-invalid');
      if (!parsed.ok) {
        setFieldError(body, bodyError, parsed.message);
        body.focus();
        return undefined;
      }
      setFieldError(body, bodyError, undefined);
      value = parsed.value;
      const problem =
        transfer && name === APPROVAL_DECISION_EVENT ? approvalDecisionProblem(value) : undefined;
      return problem
        ? `Raise "${name}" on ${instanceId}? The process will ignore it: ${problem}.`
        : `Raise the event "${name}" on ${instanceId}?`;
    },
    'Raise event',
    () =>
      void run(
        ctx,
        `Raising ${name}`,
        async () => {
          if (transfer && name === APPROVAL_DECISION_EVENT) return raiseDecision(ctx, transfer, value);
          await api.raiseEvent(instanceId, name, value);
          return `Event ${name} raised on ${instanceId}.`;
        },
        ctx.changed,
      ),
  );
}

/** Raises an ApprovalDecision and follows the process until it shows what it did with it. */
async function raiseDecision(
  ctx: OperationContext,
  transfer: TransferOfInstance,
  body: unknown,
): Promise<{ message: string; tone: Tone }> {
  const { api, follow } = ctx;
  const id = transfer.transferId;
  const before = await api.instance(id, { showHistory: true });
  await api.raiseEvent(id, APPROVAL_DECISION_EVENT, body);
  setStatus(
    ctx.statusLine,
    `Event ${APPROVAL_DECISION_EVENT} raised on ${id}; waiting for the process to read it…`,
  );
  const approver =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>).approver : undefined;
  let sourceOwnerId: string | undefined;
  if (transfer.fromAccountId && approver !== transfer.requestedBy) {
    sourceOwnerId = await api.account(transfer.fromAccountId).then(
      (a) => a.ownerId,
      () => undefined,
    );
  }
  let verdict: DecisionVerdict | undefined;
  await pollUntil(
    async () => {
      const after = await api.instance(id, { showHistory: true });
      verdict = judgeRaisedDecision({ before, after, body, sourceOwnerId });
      return verdict;
    },
    (v) => v.final,
    follow,
  );
  const v = verdict as DecisionVerdict;
  return {
    message: `${APPROVAL_DECISION_EVENT} raised: ${v.message}`,
    tone: v.kind === 'accepted' ? 'ok' : v.kind === 'ignored' ? 'error' : 'info',
  };
}

function terminateForm(ctx: OperationContext, transfer: TransferOfInstance | undefined): HTMLElement {
  const { api, instance, idPrefix } = ctx;
  const instanceId = instance.instanceId;
  const reason = textField(`${idPrefix}-terminate-reason`, 'Reason', 'Terminated from the dashboard');
  const reconciler = `Terminate stops the process where it is and does not compensate: the reconciler, which runs ${RECONCILER_INTERVAL_TEXT}, waits ${RECONCILER_GRACE_TEXT} after the process ended (an activity it started may still be running), then releases the reservation, gives back the window share and records the transfer failed (process ended). Prefer Cancel transfer.`;
  const form = opForm(
    'Terminate',
    transfer ? h('p', { class: 'hint' }, reconciler) : null,
    reason.field,
    h('button', { type: 'submit', class: 'danger' }, 'Terminate'),
  );
  return confirmed(
    form,
    () =>
      transfer
        ? `Terminate ${instanceId}? ${reconciler}`
        : `Terminate ${instanceId}? It stops at once and does not compensate.`,
    'Terminate',
    () =>
      void run(
        ctx,
        'Terminating',
        async () => {
          await api.terminate(instanceId, reason.input.value.trim());
          return transfer
            ? `Termination of ${instanceId} requested. The reconciler finishes the transfer at its first run ${RECONCILER_GRACE_TEXT} after the process ended (it runs ${RECONCILER_INTERVAL_TEXT}).`
            : `Termination of ${instanceId} requested.`;
        },
        ctx.changed,
      ),
  );
}

const REASON_OPS = {
  suspend: {
    title: 'Suspend',
    reason: 'Suspended from the dashboard',
    question: (id: string) =>
      `Suspend ${id}? It stops taking steps until it is resumed; events raised meanwhile wait.`,
    doing: 'Suspending',
    done: (id: string) => `Suspension of ${id} requested.`,
  },
  resume: {
    title: 'Resume',
    reason: 'Resumed from the dashboard',
    question: (id: string) => `Resume ${id}?`,
    doing: 'Resuming',
    done: (id: string) => `Resumption of ${id} requested.`,
  },
  rewind: {
    title: 'Rewind',
    reason: 'Rewound from the dashboard',
    question: (id: string) => `Rewind the failed instance ${id} to retry from its last failure?`,
    doing: 'Rewinding',
    done: (id: string) => `Rewind of ${id} requested.`,
  },
} as const;

function reasonForm(ctx: OperationContext, op: keyof typeof REASON_OPS): HTMLElement {
  const { api, instance, idPrefix } = ctx;
  const instanceId = instance.instanceId;
  const spec = REASON_OPS[op];
  const reason = textField(`${idPrefix}-${op}-reason`, 'Reason', spec.reason);
  const form = opForm(spec.title, reason.field, h('button', { type: 'submit' }, spec.title));
  return confirmed(
    form,
    () => spec.question(instanceId),
    spec.title,
    () =>
      void run(
        ctx,
        spec.doing,
        async () => {
          await api[op](instanceId, reason.input.value.trim());
          return spec.done(instanceId);
        },
        ctx.changed,
      ),
  );
}

function purgeForm(ctx: OperationContext, transfer: TransferOfInstance | undefined): HTMLElement {
  const { api, instance } = ctx;
  const instanceId = instance.instanceId;
  const form = opForm(
    'Purge history',
    h('p', { class: 'hint' }, 'Deletes the instance and its history. It cannot be undone.'),
    transfer
      ? h(
          'p',
          { class: 'hint' },
          'The transfer itself stays: its events and read model are the app’s. One its process left unfinished is finished by the reconciler.',
        )
      : null,
    h('button', { type: 'submit', class: 'danger' }, 'Purge'),
  );
  return confirmed(
    form,
    () => `Purge ${instanceId} and its history? This cannot be undone.`,
    'Purge',
    () =>
      void run(
        ctx,
        'Purging',
        async () => {
          const result = await api.purge(instanceId);
          return `Purged ${instanceId} (${result.instancesDeleted} instance${result.instancesDeleted === 1 ? '' : 's'} deleted).`;
        },
        ctx.purged,
      ),
  );
}
