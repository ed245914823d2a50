/**
 * The shapes the dashboard reads from the app's HTTP API and from the Durable HTTP API, with small
 * parsers: a response that breaks the contract fails loudly with the field's name instead of
 * rendering `undefined`. The app's shapes are not declared here: they come from the API's OpenAPI
 * document (contracts.generated.ts), and every field a parser reads is a key of the generated type,
 * so a renamed or removed field stops this file from compiling.
 */
import type {
  CancelTransferBody,
  DecideTransferBody,
  DecideTransferResponse,
  GetAccountResponse,
  GetCommandResponse,
  GetStatementResponse,
  GetTransferEventsResponse,
  GetTransferResponse,
  ListApprovalsResponse,
  ListReasonsResponse,
} from './contracts.generated.js';
import { ID_PATTERN } from './contracts.generated.js';

/** `T` with the fields `K` optional: the dashboard shows what it has when a server leaves them out. */
type WithOptional<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;
/** `T` with the enumerations `K` read as text: a value added on the server is shown, not refused. */
type AsText<T, K extends keyof T> = Omit<T, K> & { [P in K]: T[P] | string };

type ApprovalItem = ListApprovalsResponse['items'][number];
export type ApprovalReason = ApprovalItem['reason'];

/** An inbox card: the item of `GET /api/approvals` (status is the list's filter, so not kept). */
export type PendingApproval = WithOptional<
  Omit<ApprovalItem, 'status' | 'approver'>,
  'requestedBy' | 'requestedAt' | 'reminders'
>;

export interface ApprovalsPage {
  items: PendingApproval[];
  /** The server's clock when it answered; time left is measured against it. */
  asOf?: ListApprovalsResponse['asOf'];
}

export type TransferStatus = GetTransferResponse['status'];

export type TransferView = WithOptional<
  AsText<GetTransferResponse, 'status' | 'approvalReason'>,
  'requestedBy' | 'requestedAt'
>;

export type AccountView = AsText<GetAccountResponse, 'kind' | 'status'>;

export type StatementEntry = AsText<GetStatementResponse['entries'][number], 'type'>;

type StoredEvent = GetTransferEventsResponse['events'][number];
type EventMetadata = StoredEvent['metadata'];

/** One stored event of a stream, as `GET /api/{transfers|accounts}/{id}/events` lists it. */
export interface StreamEvent {
  /** The event id (deterministic per writer, e.g. `t-1:reserve`). */
  id: StoredEvent['id'];
  /** Position in the stream, from 1. */
  version: StoredEvent['version'];
  type: StoredEvent['type'] | string;
  /** The event's data; which fields it has depends on `type` (eventStream.ts reads them). */
  data: Record<string, unknown>;
  /** When it happened: `metadata.occurredAt`, on the server's clock. */
  occurredAt?: EventMetadata['occurredAt'];
  /** The id shared by everything one request caused. */
  correlationId?: EventMetadata['correlationId'];
}

export interface EventStream {
  streamId: GetTransferEventsResponse['streamId'];
  /** The stream's current version (the last event's, when the list starts at version 1). */
  version: GetTransferEventsResponse['version'];
  events: StreamEvent[];
}

export type CommandStatus = GetCommandResponse['status'];
export type CommandOutcome = Pick<GetCommandResponse, 'commandId' | 'type' | 'status' | 'reason'>;
export type CommandAccepted = WithOptional<
  Pick<DecideTransferResponse, 'commandId' | 'statusUrl'>,
  'statusUrl'
>;
export type DecisionRequest = DecideTransferBody;
/**
 * The body of `POST /api/transfers/{id}/cancel`: why (`note`, required); the canceller is the
 * caller (the dashboard never sends `cancelledBy`). The route answers the same `{commandId,
 * statusUrl}` as a decision (`CancelTransferResponse` is `DecideTransferResponse`).
 */
export type CancelTransferRequest = CancelTransferBody;
export type ReasonTexts = ListReasonsResponse['reasons'];

// Records, not lists: the compiler insists on exactly the generated members.
const APPROVAL_REASONS: Record<ApprovalReason, true> = { amount: true, velocity: true };
const COMMAND_STATUSES: Record<CommandStatus, true> = {
  pending: true,
  succeeded: true,
  rejected: true,
  failed: true,
};

export const RUNTIME_STATUSES = [
  'Pending',
  'Running',
  'Completed',
  'ContinuedAsNew',
  'Failed',
  'Terminated',
  'Suspended',
] as const;
export type RuntimeStatus = (typeof RUNTIME_STATUSES)[number];

export interface InstanceStatus {
  name: string;
  instanceId: string;
  runtimeStatus: string;
  input: unknown;
  customStatus: unknown;
  output: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  historyEvents?: unknown[];
}

/** A response that does not have the documented shape. */
export class ContractError extends Error {
  constructor(what: string, problem: string) {
    super(`${what}: ${problem}`);
    this.name = 'ContractError';
  }
}

type Json = Record<string, unknown>;

function asRecord(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ContractError(what, 'expected an object');
  return value as Json;
}

function str(record: Json, key: string, what: string): string {
  const value = record[key];
  if (typeof value !== 'string')
    throw new ContractError(what, `"${key}" should be a string, got ${JSON.stringify(value)}`);
  return value;
}

function optStr(record: Json, key: string, what: string): string | undefined {
  return record[key] === undefined || record[key] === null ? undefined : str(record, key, what);
}

function cents(record: Json, key: string, what: string): number {
  const value = record[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new ContractError(what, `"${key}" should be integer cents, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Drops undefined members so parsed objects compare cleanly and print without noise. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** A list sent either bare or wrapped as `{[key]: [...]}`. */
function list(value: unknown, key: string, what: string): unknown[] {
  if (Array.isArray(value)) return value;
  const wrapped = asRecord(value, what)[key];
  if (!Array.isArray(wrapped)) throw new ContractError(what, `expected an array or {${key}: [...]}`);
  return wrapped;
}

/** Reads the fields of an object whose keys are those of `T` (so a key `T` lacks does not compile). */
function fieldsOf<T>(value: unknown, what: string) {
  const r = asRecord(value, what);
  type Key = keyof T & string;
  return {
    record: r,
    str: (key: Key) => str(r, key, what),
    optStr: (key: Key) => optStr(r, key, what),
    cents: (key: Key) => cents(r, key, what),
    optCents: (key: Key) => (r[key] === undefined || r[key] === null ? undefined : cents(r, key, what)),
  };
}

export function parseApprovals(value: unknown): ApprovalsPage {
  const what = 'GET /api/approvals';
  const items = list(value, 'items', what).map((raw): PendingApproval => {
    const f = fieldsOf<ApprovalItem>(raw, what);
    const reason = f.str('reason');
    if (!Object.prototype.hasOwnProperty.call(APPROVAL_REASONS, reason))
      throw new ContractError(what, `"reason" should be amount or velocity, got "${reason}"`);
    return compact({
      transferId: f.str('transferId'),
      fromAccountId: f.str('fromAccountId'),
      toAccountId: f.str('toAccountId'),
      amount: f.cents('amount'),
      reason: reason as ApprovalReason,
      deadline: f.str('deadline'),
      requestedBy: f.optStr('requestedBy'),
      requestedAt: f.optStr('requestedAt'),
      note: f.optStr('note'),
      reminders: typeof f.record.reminders === 'number' ? f.record.reminders : undefined,
    });
  });
  const asOf = Array.isArray(value) ? undefined : fieldsOf<ListApprovalsResponse>(value, what).optStr('asOf');
  return compact({ items, asOf });
}

export function parseTransfer(value: unknown): TransferView {
  const f = fieldsOf<GetTransferResponse>(value, 'GET /api/transfers/{id}');
  return compact({
    transferId: f.str('transferId'),
    fromAccountId: f.str('fromAccountId'),
    toAccountId: f.str('toAccountId'),
    amount: f.cents('amount'),
    status: f.str('status'),
    reason: f.optStr('reason'),
    approver: f.optStr('approver'),
    deadline: f.optStr('deadline'),
    approvalReason: f.optStr('approvalReason'),
    requestedBy: f.optStr('requestedBy'),
    requestedAt: f.optStr('requestedAt'),
    note: f.optStr('note'),
  });
}

export function parseAccount(value: unknown): AccountView {
  const f = fieldsOf<GetAccountResponse>(value, 'GET /api/accounts/{id}');
  return {
    accountId: f.str('accountId'),
    ownerId: f.str('ownerId'),
    ownerName: f.str('ownerName'),
    kind: f.str('kind'),
    status: f.str('status'),
    available: f.cents('available'),
    reserved: f.cents('reserved'),
    version: f.cents('version'),
  };
}

export function parseStatement(value: unknown): StatementEntry[] {
  const what = 'GET /api/accounts/{id}/statement';
  return list(value, 'entries', what).map((raw) => {
    const f = fieldsOf<StatementEntry>(raw, what);
    return compact({
      at: f.str('at'),
      type: f.str('type'),
      amount: f.cents('amount'),
      fee: f.optCents('fee'),
      transferId: f.optStr('transferId'),
      balanceAfter: f.cents('balanceAfter'),
    });
  });
}

export function parseEventStream(value: unknown): EventStream {
  const what = 'GET /api/{transfers|accounts}/{id}/events';
  const stream = fieldsOf<GetTransferEventsResponse>(value, what);
  const raw = stream.record.events;
  if (!Array.isArray(raw)) throw new ContractError(what, '"events" should be an array');
  const events = raw.map((item): StreamEvent => {
    const e = fieldsOf<StoredEvent>(item, what);
    const metadata = fieldsOf<EventMetadata>(e.record.metadata ?? {}, what);
    return compact({
      id: e.str('id'),
      version: e.cents('version'),
      type: e.str('type'),
      data:
        e.record.data === undefined || e.record.data === null
          ? {}
          : asRecord(e.record.data, `${what} event data`),
      occurredAt: metadata.optStr('occurredAt'),
      correlationId: metadata.optStr('correlationId'),
    });
  });
  return { streamId: stream.str('streamId'), version: stream.cents('version'), events };
}

export function parseCommandAccepted(value: unknown): CommandAccepted {
  const f = fieldsOf<DecideTransferResponse>(value, 'POST /api/transfers/{id}/decision');
  return compact({ commandId: f.str('commandId'), statusUrl: f.optStr('statusUrl') });
}

export function parseCommandOutcome(value: unknown): CommandOutcome {
  const what = 'GET /api/commands/{id}';
  const f = fieldsOf<GetCommandResponse>(value, what);
  const status = f.str('status');
  if (!Object.prototype.hasOwnProperty.call(COMMAND_STATUSES, status)) {
    throw new ContractError(
      what,
      `"status" should be pending, succeeded, rejected or failed, got "${status}"`,
    );
  }
  return compact({
    commandId: f.str('commandId'),
    type: f.str('type'),
    status: status as CommandStatus,
    reason: f.optStr('reason'),
  });
}

/** `GET /api/reasons`: every code in words. */
export function parseReasons(value: unknown): ReasonTexts {
  const what = 'GET /api/reasons';
  const reasons = asRecord(fieldsOf<ListReasonsResponse>(value, what).record.reasons, `${what} reasons`);
  for (const [code, text] of Object.entries(reasons)) {
    if (typeof text !== 'string') throw new ContractError(what, `"${code}" should be a string`);
  }
  return reasons as ReasonTexts;
}

export function parseInstance(value: unknown): InstanceStatus {
  const what = 'Durable API instance';
  const r = asRecord(value, what);
  const history = r.historyEvents;
  if (history !== undefined && history !== null && !Array.isArray(history)) {
    throw new ContractError(what, '"historyEvents" should be an array');
  }
  return compact({
    name: str(r, 'name', what),
    instanceId: str(r, 'instanceId', what),
    runtimeStatus: str(r, 'runtimeStatus', what),
    input: r.input ?? null,
    customStatus: r.customStatus ?? null,
    output: r.output ?? null,
    createdTime: str(r, 'createdTime', what),
    lastUpdatedTime: str(r, 'lastUpdatedTime', what),
    historyEvents: Array.isArray(history) ? history : undefined,
  });
}

export function parseInstanceList(value: unknown): InstanceStatus[] {
  if (!Array.isArray(value)) throw new ContractError('Durable API instance list', 'expected an array');
  return value.map(parseInstance);
}

/** The API's id rule: checked before sending so a typo is caught at the field. */
export { ID_PATTERN };

/** Why a typed id is not valid, in words; undefined when it is. */
export function idProblem(label: string, value: string): string | undefined {
  if (value.trim() === '') return `Enter the ${label}.`;
  if (!ID_PATTERN.test(value.trim()))
    return `The ${label} must be 3 to 64 lowercase letters, digits or dashes, starting with a letter or digit.`;
  return undefined;
}
