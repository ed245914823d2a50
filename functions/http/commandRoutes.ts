/**
 * The command side of the HTTP API: each POST validates its input, builds a client command and
 * submits it to the command store. The command id is a hash of the command, so a repeated request
 * is the same command: stored once, answered with the same 202 body.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { commandId as commandIdOf } from '../../domain/commandId';
import { ClientCommandSchema, type ClientCommand } from '../../domain/commands';
import type { Stores } from '../../stores';
import { TRANSFER_VIEW_ID, transferPartition } from '../projections/layout';
import type { TransferView } from '../projections/transferView';
import { readJsonBody, validate } from './body';
import { problem } from './problem';
import {
  AccountParamsSchema,
  CloseAccountBodySchema,
  DecisionBodySchema,
  IdempotencyKeySchema,
  LoadCreditsBodySchema,
  OpenAccountBodySchema,
  RequestTransferBodySchema,
  TransferParamsSchema,
} from './schemas';

export interface CommandRouteDeps {
  stores: Stores;
  /** The Durable HTTP API status URL of a transfer's process. */
  processStatusUrl: (transferId: string) => string;
}

type Result<T> = { ok: true; value: T } | { ok: false; response: HttpResponseInit };

/** The API's absolute URL of a command's status, on the host the request came to. */
export function commandStatusUrl(request: HttpRequest, commandId: string): string {
  return new URL(`/api/commands/${commandId}`, new URL(request.url).origin).href;
}

/**
 * An id for an entity the client did not name: derived from the `Idempotency-Key` (so a retried
 * request names the same entity), else new.
 *
 * @example entityId('tr', 'RequestTransfer', 'key-1') // 'tr-' + 32 hex digits, always the same for this key
 */
export function entityId(prefix: string, scope: string, idempotencyKey: string | undefined): string {
  if (idempotencyKey === undefined) return `${prefix}-${randomUUID()}`;
  return `${prefix}-${createHash('sha256').update(`${scope}\n${idempotencyKey}`).digest('hex').slice(0, 32)}`;
}

function idempotencyKey(request: HttpRequest): Result<string | undefined> {
  const header = request.headers.get('idempotency-key');
  if (header === null) return { ok: true, value: undefined };
  const checked = validate(IdempotencyKeySchema, header, 'Idempotency-Key header');
  return checked.ok ? { ok: true, value: checked.value } : checked;
}

function accepted(request: HttpRequest, commandId: string, extra: Record<string, string>): HttpResponseInit {
  const statusUrl = commandStatusUrl(request, commandId);
  return {
    status: 202,
    headers: { 'content-type': 'application/json', location: statusUrl },
    body: JSON.stringify({ commandId, ...extra, statusUrl }),
  };
}

/** Submits the command (once: a duplicate changes nothing) and answers 202. */
async function submit(
  deps: CommandRouteDeps,
  request: HttpRequest,
  command: ClientCommand,
  extra: Record<string, string>,
): Promise<HttpResponseInit> {
  // Parsing through the domain schema also normalises what the hash covers (e.g. trimmed names).
  const parsed = validate(ClientCommandSchema, command, 'command');
  if (!parsed.ok) return parsed.response;
  const { type, data } = parsed.value;
  const id = commandIdOf(type, data);
  await deps.stores.commands.submit({ id, type, data, metadata: { correlationId: id } });
  return accepted(request, id, extra);
}

export async function openAccount(deps: CommandRouteDeps, request: HttpRequest): Promise<HttpResponseInit> {
  const key = idempotencyKey(request);
  if (!key.ok) return key.response;
  const body = await readJsonBody(request, OpenAccountBodySchema);
  if (!body.ok) return body.response;
  const accountId = body.value.accountId ?? entityId('acc', 'OpenAccount', key.value);
  const { ownerId, ownerName, kind } = body.value;
  return submit(
    deps,
    request,
    { type: 'OpenAccount', data: { accountId, ownerId, ownerName, kind } },
    { accountId },
  );
}

export async function loadCredits(deps: CommandRouteDeps, request: HttpRequest): Promise<HttpResponseInit> {
  const path = validate(AccountParamsSchema, request.params, 'path');
  if (!path.ok) return path.response;
  const key = idempotencyKey(request);
  if (!key.ok) return key.response;
  const body = await readJsonBody(request, LoadCreditsBodySchema);
  if (!body.ok) return body.response;
  const { accountId } = path.value;
  const loadId = body.value.loadId ?? entityId('load', `LoadCredits:${accountId}`, key.value);
  return submit(
    deps,
    request,
    { type: 'LoadCredits', data: { accountId, loadId, amount: body.value.amount } },
    { accountId, loadId },
  );
}

export async function closeAccount(deps: CommandRouteDeps, request: HttpRequest): Promise<HttpResponseInit> {
  const path = validate(AccountParamsSchema, request.params, 'path');
  if (!path.ok) return path.response;
  const body = await readJsonBody(request, CloseAccountBodySchema, { allowEmpty: true });
  if (!body.ok) return body.response;
  const { accountId } = path.value;
  return submit(deps, request, { type: 'CloseAccount', data: { accountId } }, { accountId });
}

export async function requestTransfer(
  deps: CommandRouteDeps,
  request: HttpRequest,
): Promise<HttpResponseInit> {
  const key = idempotencyKey(request);
  if (!key.ok) return key.response;
  const body = await readJsonBody(request, RequestTransferBodySchema);
  if (!body.ok) return body.response;
  const { fromAccountId, toAccountId, amount, requestedBy, note } = body.value;
  const transferId = body.value.transferId ?? entityId('tr', 'RequestTransfer', key.value);
  const data = {
    transferId,
    fromAccountId,
    toAccountId,
    amount,
    requestedBy,
    ...(note === undefined ? {} : { note }),
  };
  return submit(
    deps,
    request,
    { type: 'RequestTransfer', data },
    { transferId, processStatusUrl: deps.processStatusUrl(transferId) },
  );
}

/**
 * Records an approval decision. 404 for an unknown transfer, 409 when the transfer view says it is
 * not awaiting approval; a decision already recorded is answered as before (202, same body).
 */
export async function decideTransfer(
  deps: CommandRouteDeps,
  request: HttpRequest,
): Promise<HttpResponseInit> {
  const path = validate(TransferParamsSchema, request.params, 'path');
  if (!path.ok) return path.response;
  const body = await readJsonBody(request, DecisionBodySchema);
  if (!body.ok) return body.response;
  const { transferId } = path.value;
  const { decision, approver, note } = body.value;
  const command: ClientCommand = {
    type: 'DecideTransfer',
    data: { transferId, decision, approver, ...(note === undefined ? {} : { note }) },
  };
  const id = commandIdOf(command.type, command.data);
  if (await deps.stores.commands.get(id)) return accepted(request, id, { transferId });
  const transfer = await deps.stores.views.get<TransferView>(transferPartition(transferId), TRANSFER_VIEW_ID);
  if (!transfer) return problem(404, 'transfer_not_found', `There is no transfer ${transferId}.`);
  if (transfer.status !== 'awaiting_approval') {
    return problem(
      409,
      'not_awaiting_approval',
      `Transfer ${transferId} is ${transfer.status}, not awaiting approval.`,
    );
  }
  return submit(deps, request, command, { transferId });
}
