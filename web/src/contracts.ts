/**
 * The shapes the dashboard reads from the app's HTTP API (DESIGN.md §4) and from the Durable HTTP
 * API, with small parsers: a response that breaks the contract fails loudly with the field's name
 * instead of rendering `undefined`.
 */

export type ApprovalReason = 'amount' | 'velocity';

export interface PendingApproval {
  transferId: string;
  fromAccountId: string;
  toAccountId: string;
  /** Integer cents. */
  amount: number;
  reason: ApprovalReason;
  /** ISO-8601 instant on the server's clock. */
  deadline: string;
  requestedBy?: string;
  requestedAt?: string;
  note?: string;
  /** How many reminders went out (one at half the timeout). */
  reminders?: number;
}

export interface ApprovalsPage {
  items: PendingApproval[];
  /** The server's clock when it answered; time left is measured against it. */
  asOf?: string;
}

export type TransferStatus =
  'requested' | 'awaiting_approval' | 'approved' | 'completed' | 'rejected' | 'expired' | 'failed';

export interface TransferView {
  transferId: string;
  fromAccountId: string;
  toAccountId: string;
  amount: number;
  status: TransferStatus | string;
  reason?: string;
  approver?: string;
  deadline?: string;
  /** Why it needed approval: amount or velocity. */
  approvalReason?: string;
  requestedBy?: string;
  requestedAt?: string;
  note?: string;
}

export interface AccountView {
  accountId: string;
  ownerId: string;
  ownerName: string;
  kind: string;
  status: string;
  available: number;
  reserved: number;
  version: number;
}

export interface StatementEntry {
  at: string;
  type: string;
  amount: number;
  fee?: number;
  transferId?: string;
  balanceAfter: number;
}

/** One stored event of a stream, as `GET /api/{transfers|accounts}/{id}/events` lists it. */
export interface StreamEvent {
  /** The event id (deterministic per writer, e.g. `t-1:reserve`). */
  id: string;
  /** Position in the stream, from 1. */
  version: number;
  type: string;
  /** The event's data; which fields it has depends on `type` (eventStream.ts reads them). */
  data: Record<string, unknown>;
  /** When it happened: `metadata.occurredAt`, on the server's clock. */
  occurredAt?: string;
  /** The id shared by everything one request caused. */
  correlationId?: string;
}

export interface EventStream {
  streamId: string;
  /** The stream's current version (the last event's, when the list starts at version 1). */
  version: number;
  events: StreamEvent[];
}

export type CommandStatus = 'pending' | 'succeeded' | 'rejected' | 'failed';

export interface CommandOutcome {
  commandId: string;
  type: string;
  status: CommandStatus;
  reason?: string;
}

export interface CommandAccepted {
  commandId: string;
  statusUrl?: string;
}

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

export function parseApprovals(value: unknown): ApprovalsPage {
  const what = 'GET /api/approvals';
  const items = list(value, 'items', what).map((raw): PendingApproval => {
    const r = asRecord(raw, what);
    const reason = str(r, 'reason', what);
    if (reason !== 'amount' && reason !== 'velocity')
      throw new ContractError(what, `"reason" should be amount or velocity, got "${reason}"`);
    return compact({
      transferId: str(r, 'transferId', what),
      fromAccountId: str(r, 'fromAccountId', what),
      toAccountId: str(r, 'toAccountId', what),
      amount: cents(r, 'amount', what),
      reason,
      deadline: str(r, 'deadline', what),
      requestedBy: optStr(r, 'requestedBy', what),
      requestedAt: optStr(r, 'requestedAt', what),
      note: optStr(r, 'note', what),
      reminders: typeof r.reminders === 'number' ? r.reminders : undefined,
    });
  });
  const asOf = Array.isArray(value) ? undefined : optStr(asRecord(value, what), 'asOf', what);
  return compact({ items, asOf });
}

export function parseTransfer(value: unknown): TransferView {
  const what = 'GET /api/transfers/{id}';
  const r = asRecord(value, what);
  return compact({
    transferId: str(r, 'transferId', what),
    fromAccountId: str(r, 'fromAccountId', what),
    toAccountId: str(r, 'toAccountId', what),
    amount: cents(r, 'amount', what),
    status: str(r, 'status', what),
    reason: optStr(r, 'reason', what),
    approver: optStr(r, 'approver', what),
    deadline: optStr(r, 'deadline', what),
    approvalReason: optStr(r, 'approvalReason', what),
    requestedBy: optStr(r, 'requestedBy', what),
    requestedAt: optStr(r, 'requestedAt', what),
    note: optStr(r, 'note', what),
  });
}

export function parseAccount(value: unknown): AccountView {
  const what = 'GET /api/accounts/{id}';
  const r = asRecord(value, what);
  return {
    accountId: str(r, 'accountId', what),
    ownerId: str(r, 'ownerId', what),
    ownerName: str(r, 'ownerName', what),
    kind: str(r, 'kind', what),
    status: str(r, 'status', what),
    available: cents(r, 'available', what),
    reserved: cents(r, 'reserved', what),
    version: cents(r, 'version', what),
  };
}

export function parseStatement(value: unknown): StatementEntry[] {
  const what = 'GET /api/accounts/{id}/statement';
  return list(value, 'entries', what).map((raw) => {
    const r = asRecord(raw, what);
    return compact({
      at: str(r, 'at', what),
      type: str(r, 'type', what),
      amount: cents(r, 'amount', what),
      fee: r.fee === undefined || r.fee === null ? undefined : cents(r, 'fee', what),
      transferId: optStr(r, 'transferId', what),
      balanceAfter: cents(r, 'balanceAfter', what),
    });
  });
}

export function parseEventStream(value: unknown): EventStream {
  const what = 'GET /api/{transfers|accounts}/{id}/events';
  const r = asRecord(value, what);
  if (!Array.isArray(r.events)) throw new ContractError(what, '"events" should be an array');
  const events = r.events.map((raw): StreamEvent => {
    const e = asRecord(raw, what);
    const metadata = e.metadata === undefined || e.metadata === null ? {} : asRecord(e.metadata, what);
    return compact({
      id: str(e, 'id', what),
      version: cents(e, 'version', what),
      type: str(e, 'type', what),
      data: e.data === undefined || e.data === null ? {} : asRecord(e.data, `${what} event data`),
      occurredAt: optStr(metadata, 'occurredAt', what),
      correlationId: optStr(metadata, 'correlationId', what),
    });
  });
  return { streamId: str(r, 'streamId', what), version: cents(r, 'version', what), events };
}

export function parseCommandAccepted(value: unknown): CommandAccepted {
  const what = 'POST /api/transfers/{id}/decision';
  const r = asRecord(value, what);
  return compact({ commandId: str(r, 'commandId', what), statusUrl: optStr(r, 'statusUrl', what) });
}

export function parseCommandOutcome(value: unknown): CommandOutcome {
  const what = 'GET /api/commands/{id}';
  const r = asRecord(value, what);
  const status = str(r, 'status', what);
  if (!['pending', 'succeeded', 'rejected', 'failed'].includes(status)) {
    throw new ContractError(
      what,
      `"status" should be pending, succeeded, rejected or failed, got "${status}"`,
    );
  }
  return compact({
    commandId: str(r, 'commandId', what),
    type: str(r, 'type', what),
    status: status as CommandStatus,
    reason: optStr(r, 'reason', what),
  });
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

/** The API's id rule (DESIGN.md §2): checked before sending so a typo is caught at the field. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9-]{2,63}$/;

/** Why a typed id is not valid, in words; undefined when it is. */
export function idProblem(label: string, value: string): string | undefined {
  if (value.trim() === '') return `Enter the ${label}.`;
  if (!ID_PATTERN.test(value.trim()))
    return `The ${label} must be 3 to 64 lowercase letters, digits or dashes, starting with a letter or digit.`;
  return undefined;
}
