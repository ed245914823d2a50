/**
 * A transfer's orchestration in the monitor (the `transferProcess` orchestration, instance id =
 * transfer id): whether the domain's "Cancel transfer" applies, the `ApprovalDecision` event's
 * template and shape (orchestrations/contracts.ts: `{decision: 'approve'|'reject', approver, note?}`,
 * nothing else), and what the process did with a decision raised on it, read from its custom status
 * and history. No DOM.
 */
import { ID_PATTERN, type InstanceStatus } from './contracts.js';
import { describeTransferStatus, transferProcessStatus } from './customStatus.js';
import { typeInWords } from './eventStream.js';
import { isFinalStatus } from './instanceActions.js';
import { describeReason } from './reasons.js';

export const TRANSFER_ORCHESTRATION = 'transferProcess';
export const APPROVAL_DECISION_EVENT = 'ApprovalDecision';
/** How often the reconciler runs unless RECONCILER_SCHEDULE says otherwise (functions/README.md). */
export const RECONCILER_INTERVAL_TEXT = 'every minute by default';
/** How long the reconciler waits after a process ended abnormally (ENDED_GRACE_MS, functions/reconcile/select.ts). */
export const RECONCILER_GRACE_TEXT = '10 minutes';

export interface TransferOfInstance {
  transferId: string;
  requestedBy?: string;
  fromAccountId?: string;
}

/** The transfer an instance runs, when it is a transfer's process; undefined otherwise. */
export function transferOf(instance: InstanceStatus): TransferOfInstance | undefined {
  if (instance.name !== TRANSFER_ORCHESTRATION) return undefined;
  const input = instance.input;
  if (typeof input !== 'object' || input === null) return undefined;
  const record = input as Record<string, unknown>;
  if (record.transferId !== instance.instanceId) return undefined;
  const text = (key: string): string | undefined =>
    typeof record[key] === 'string' ? (record[key] as string) : undefined;
  const transfer: TransferOfInstance = { transferId: instance.instanceId };
  const requestedBy = text('requestedBy');
  const fromAccountId = text('fromAccountId');
  if (requestedBy) transfer.requestedBy = requestedBy;
  if (fromAccountId) transfer.fromAccountId = fromAccountId;
  return transfer;
}

/** The machine state the process shows, e.g. `awaitingApproval`; undefined when it shows none. */
export function transferState(instance: InstanceStatus): string | undefined {
  return transferProcessStatus(instance.customStatus)?.state;
}

export type CancelOffer = { offered: true } | { offered: false; why: string };

/** Machine states before the destination is credited: a cancel ends the transfer from each of them. */
const CANCELLABLE_STATES = new Set(['requested', 'reserving', 'assessing', 'awaitingApproval', 'crediting']);

/**
 * Whether "Cancel transfer" applies: while the process has not passed the point of no return —
 * reserving, awaiting approval, crediting (it may be waiting to retry a failed activity) — and has
 * not ended. A credit already made while crediting is refused by the command (already_credited).
 */
export function cancelOffer(instance: InstanceStatus): CancelOffer {
  const state = transferState(instance);
  if (isFinalStatus(instance.runtimeStatus)) {
    const where = state ? ` (${describeTransferStatus({ state }).toLowerCase()})` : '';
    return {
      offered: false,
      why: `The process has ended${where}; there is nothing to cancel here. A transfer left unfinished by an ended process is finished by the reconciler.`,
    };
  }
  if (state === undefined || CANCELLABLE_STATES.has(state)) return { offered: true };
  return {
    offered: false,
    why: `A transfer can be cancelled only until its destination is credited; this one is ${typeInWords(state).toLowerCase()}.`,
  };
}

/** The text of a valid `ApprovalDecision` for `approver`, for the raise-event form. */
export function decisionTemplate(approver: string): string {
  return JSON.stringify({ decision: 'approve', approver, note: 'decided from the monitor' }, null, 2);
}

export interface RaisedDecision {
  decision: 'approve' | 'reject';
  approver: string;
  note?: string;
}

const DECISION_KEYS = new Set(['decision', 'approver', 'note']);

/** Why `value` is not an `ApprovalDecision` the process takes (its schema is strict); undefined when it is. */
export function approvalDecisionProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'it should be an object {decision, approver, note?}';
  const record = value as Record<string, unknown>;
  const extra = Object.keys(record).filter((key) => !DECISION_KEYS.has(key));
  if (extra.length > 0) return `it has fields the process does not take: ${extra.join(', ')}`;
  if (record.decision !== 'approve' && record.decision !== 'reject')
    return '"decision" should be "approve" or "reject"';
  if (typeof record.approver !== 'string' || !ID_PATTERN.test(record.approver))
    return '"approver" should be a user id (3 to 64 lowercase letters, digits or dashes)';
  if (record.note !== undefined && (typeof record.note !== 'string' || record.note.length > 500))
    return '"note" should be text of at most 500 characters';
  return undefined;
}

/** How many events named `name` the instance's history has received. */
export function receivedEvents(instance: InstanceStatus, name: string): number {
  let count = 0;
  for (const event of instance.historyEvents ?? []) {
    if (typeof event !== 'object' || event === null) continue;
    const record = event as Record<string, unknown>;
    const type = record.EventType ?? record.eventType;
    if ((type === 'EventRaised' || type === 15) && (record.Name ?? record.name) === name) count++;
  }
  return count;
}

export type DecisionVerdictKind = 'accepted' | 'ignored' | 'kept' | 'unread';

export interface DecisionVerdict {
  kind: DecisionVerdictKind;
  /** Final: the process has read the event, nothing more will be learned by waiting. */
  final: boolean;
  message: string;
}

export interface RaisedDecisionFacts {
  /** The instance as it was just before the event was raised. */
  before: InstanceStatus;
  /** The instance as read after it. */
  after: InstanceStatus;
  /** The event's data as raised. */
  body: unknown;
  /** The owner of the transfer's source account, when known (the four-eyes rule). */
  sourceOwnerId?: string;
}

const EARLY_STATES = new Set(['requested', 'reserving', 'assessing']);

/**
 * What the transfer process did with an `ApprovalDecision` raised on it, from its history (did it
 * read the event?) and its custom status (did the machine move, and for whom?).
 */
export function judgeRaisedDecision(facts: RaisedDecisionFacts): DecisionVerdict {
  const { before, after, body } = facts;
  const read =
    receivedEvents(after, APPROVAL_DECISION_EVENT) > receivedEvents(before, APPROVAL_DECISION_EVENT);
  if (!read) {
    if (isFinalStatus(after.runtimeStatus))
      return {
        kind: 'ignored',
        final: true,
        message: `The process ended (${after.runtimeStatus}) without reading the decision.`,
      };
    // A suspended process reads nothing until it is resumed: waiting longer tells nothing more.
    return {
      kind: 'unread',
      final: after.runtimeStatus === 'Suspended',
      message:
        after.runtimeStatus === 'Suspended'
          ? 'The decision was raised; the process is suspended and reads it when it is resumed.'
          : 'The decision was raised; the process has not read it yet.',
    };
  }
  const problem = approvalDecisionProblem(body);
  if (problem)
    return {
      kind: 'ignored',
      final: true,
      message: `The process ignored the decision: it is malformed (${problem}). The transfer is unchanged.`,
    };
  const decision = body as RaisedDecision;
  const was = transferState(before);
  const now = transferProcessStatus(after.customStatus);
  const nowText = now ? describeTransferStatus(now) : 'unknown';
  if (was && EARLY_STATES.has(was) && now && EARLY_STATES.has(now.state))
    return {
      kind: 'kept',
      final: true,
      message: `The process is not waiting for a decision yet (${nowText.toLowerCase()}); it keeps the event and takes it if the transfer comes to await approval.`,
    };
  if (was !== 'awaitingApproval')
    return {
      kind: 'ignored',
      final: true,
      message: `The process ignored the decision: it was not waiting for one (${describeTransferStatus({ state: was ?? 'unknown' }).toLowerCase()}). Now: ${nowText}.`,
    };
  if (now && now.state !== 'awaitingApproval') {
    if (now.approver === decision.approver)
      return {
        kind: 'accepted',
        final: true,
        message: `The process accepted the ${decision.decision === 'approve' ? 'approval' : 'rejection'} by ${decision.approver}. Now: ${nowText}.`,
      };
    return {
      kind: 'ignored',
      final: true,
      message: `The process moved on without this decision. Now: ${nowText}.`,
    };
  }
  const transfer = transferOf(after);
  const why =
    transfer?.requestedBy === decision.approver
      ? describeReason('approver_is_requester')
      : facts.sourceOwnerId === decision.approver
        ? describeReason('approver_is_source_owner')
        : 'the transfer machine refused it (the host log says why)';
  return {
    kind: 'ignored',
    final: true,
    message: `The process ignored the decision by ${decision.approver}: ${why}. It still awaits approval.`,
  };
}
