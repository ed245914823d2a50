/**
 * The query side of the HTTP API: command outcomes, the read models and the event streams behind
 * them, each 404 when absent.
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { accountStreamId, transferStreamId } from '../../domain/ids';
import type { Stores } from '../../stores';
import {
  accountResponse,
  statementEntryResponse,
  type AccountView,
  type StatementEntry,
} from '../projections/accountView';
import { approvalResponse, type InboxEntry } from '../projections/approvalsInbox';
import {
  ACCOUNT_VIEW_ID,
  APPROVALS_PARTITION,
  DEADLETTERS_PARTITION,
  TRANSFER_VIEW_ID,
  accountPartition,
  transferPartition,
} from '../projections/layout';
import { transferResponse, type TransferView } from '../projections/transferView';
import type { DeadLetter } from '../commands/handleCommands';
import { validate } from './body';
import { problem } from './problem';
import {
  AccountParamsSchema,
  ApprovalsQuerySchema,
  CommandParamsSchema,
  StreamQuerySchema,
  TransferParamsSchema,
} from './schemas';

export interface QueryRouteDeps {
  stores: Stores;
  now: () => string;
}

function ok(body: unknown): HttpResponseInit {
  return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

export async function getCommand(deps: QueryRouteDeps, request: HttpRequest): Promise<HttpResponseInit> {
  const path = validate(CommandParamsSchema, request.params, 'path');
  if (!path.ok) return path.response;
  const record = await deps.stores.commands.get(path.value.commandId);
  if (!record) return problem(404, 'command_not_found', `There is no command ${path.value.commandId}.`);
  return ok({
    commandId: record.id,
    type: record.type,
    status: record.status,
    ...(record.reason === undefined ? {} : { reason: record.reason }),
    submittedAt: record.submittedAt,
    ...(record.completedAt === undefined ? {} : { completedAt: record.completedAt }),
  });
}

export async function getAccount(deps: QueryRouteDeps, request: HttpRequest): Promise<HttpResponseInit> {
  const path = validate(AccountParamsSchema, request.params, 'path');
  if (!path.ok) return path.response;
  const view = await deps.stores.views.get<AccountView>(
    accountPartition(path.value.accountId),
    ACCOUNT_VIEW_ID,
  );
  if (!view) return problem(404, 'account_not_found', `There is no account ${path.value.accountId}.`);
  return ok(accountResponse(view));
}

export async function getStatement(deps: QueryRouteDeps, request: HttpRequest): Promise<HttpResponseInit> {
  const path = validate(AccountParamsSchema, request.params, 'path');
  if (!path.ok) return path.response;
  const pk = accountPartition(path.value.accountId);
  const view = await deps.stores.views.get<AccountView>(pk, ACCOUNT_VIEW_ID);
  if (!view) return problem(404, 'account_not_found', `There is no account ${path.value.accountId}.`);
  const entries = await deps.stores.views.query<StatementEntry>(pk, {
    where: { view: 'statement' },
    orderBy: 'version',
  });
  return ok({ accountId: view.accountId, entries: entries.map(statementEntryResponse) });
}

export async function getTransfer(deps: QueryRouteDeps, request: HttpRequest): Promise<HttpResponseInit> {
  const path = validate(TransferParamsSchema, request.params, 'path');
  if (!path.ok) return path.response;
  const view = await deps.stores.views.get<TransferView>(
    transferPartition(path.value.transferId),
    TRANSFER_VIEW_ID,
  );
  if (!view) return problem(404, 'transfer_not_found', `There is no transfer ${path.value.transferId}.`);
  return ok(transferResponse(view));
}

/**
 * One stream's events with version >= `?fromVersion` (default 1), read from the event store rather
 * than a projection, so operators see what was decided even when a view lags. Past the end of an
 * existing stream the list is empty; a stream without events is `notFound`.
 */
async function streamEvents(
  deps: QueryRouteDeps,
  request: HttpRequest,
  streamId: string,
  notFound: () => HttpResponseInit,
): Promise<HttpResponseInit> {
  const query = validate(StreamQuerySchema, Object.fromEntries(request.query.entries()), 'query');
  if (!query.ok) return query.response;
  const events = await deps.stores.events.readStream(streamId, query.value.fromVersion ?? 1);
  // Only an empty answer needs the version asked for: it tells "no such stream" from "nothing newer".
  const version =
    events.length > 0 ? events[events.length - 1].version : await deps.stores.events.streamVersion(streamId);
  if (version === 0) return notFound();
  return ok({
    streamId,
    version,
    events: events.map(({ id, streamId: stream, version: at, type, data, metadata, schemaVersion }) => ({
      id,
      streamId: stream,
      version: at,
      type,
      data,
      metadata,
      schemaVersion,
    })),
  });
}

export async function getAccountEvents(
  deps: QueryRouteDeps,
  request: HttpRequest,
): Promise<HttpResponseInit> {
  const path = validate(AccountParamsSchema, request.params, 'path');
  if (!path.ok) return path.response;
  const { accountId } = path.value;
  return streamEvents(deps, request, accountStreamId(accountId), () =>
    problem(404, 'account_not_found', `There is no account ${accountId}.`),
  );
}

export async function getTransferEvents(
  deps: QueryRouteDeps,
  request: HttpRequest,
): Promise<HttpResponseInit> {
  const path = validate(TransferParamsSchema, request.params, 'path');
  if (!path.ok) return path.response;
  const { transferId } = path.value;
  return streamEvents(deps, request, transferStreamId(transferId), () =>
    problem(404, 'transfer_not_found', `There is no transfer ${transferId}.`),
  );
}

/** The approvals inbox, soonest deadline first; `asOf` is the server's clock, to measure time left against. */
export async function listApprovals(deps: QueryRouteDeps, request: HttpRequest): Promise<HttpResponseInit> {
  const query = validate(ApprovalsQuerySchema, Object.fromEntries(request.query.entries()), 'query');
  if (!query.ok) return query.response;
  const { status } = query.value;
  const entries = await deps.stores.views.query<InboxEntry>(APPROVALS_PARTITION, {
    where: status === 'all' ? { view: 'approval' } : { view: 'approval', status },
    orderBy: 'deadline',
  });
  return ok({ items: entries.map(approvalResponse), asOf: deps.now() });
}

export async function listDeadLetters(deps: QueryRouteDeps): Promise<HttpResponseInit> {
  const letters = await deps.stores.views.query<DeadLetter>(DEADLETTERS_PARTITION, { orderBy: 'failedAt' });
  return ok({
    items: letters.map(({ commandId, type, data, attempts, reason, lastError, failedAt }) => ({
      commandId,
      type,
      data,
      attempts,
      reason,
      lastError,
      failedAt,
    })),
  });
}
