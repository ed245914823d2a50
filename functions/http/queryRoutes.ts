/**
 * The query side of the HTTP API: command outcomes, the read models and the event streams behind
 * them, each 404 when absent. One entry per route; `queryRoute` validates the path and the query
 * with the entry's schemas and types the answer by its response schema.
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { z } from 'zod';
import { accountStreamId, transferStreamId } from '../../domain/ids';
import type { DeadLetter } from '../commands/handleCommands';
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
import {
  authorizeResource,
  authorizeRole,
  ownsAccount,
  readsTransfer,
  type Access,
} from '../identity/access';
import { validate } from './body';
import { problem, reasonTexts } from './problem';
import { jsonAnswer, type RouteDeps, type RouteDefinition } from './route';
import { answerAfterWait, preferredWait, type WaitRule } from './waitPreference';
import {
  AccountParamsSchema,
  AccountResponseSchema,
  ApprovalsQuerySchema,
  ApprovalsResponseSchema,
  CommandParamsSchema,
  CommandStatusSchema,
  DeadLettersResponseSchema,
  ReasonsResponseSchema,
  StatementResponseSchema,
  StreamQuerySchema,
  StreamResponseSchema,
  TransferParamsSchema,
  TransferResponseSchema,
  ProcessStatusResponseSchema,
} from './schemas';

type Parsed<S extends z.ZodType | undefined> = S extends z.ZodType ? z.output<S> : Record<string, never>;

interface QueryRouteSpec<
  P extends z.ZodType | undefined,
  Q extends z.ZodType | undefined,
  R extends z.ZodType,
> {
  route: string;
  summary: string;
  params?: P;
  query?: Q;
  response: R;
  /** Who may ask (see functions/identity/access.ts); `check` sees the validated params and query. */
  access: Access<{ params: Parsed<P>; query: Parsed<Q> }>;
  /** Whether `answer` reads a transfer process through `deps.processes()`. */
  durableClient?: boolean;
  /** Whether and how the route honours `Prefer: wait=N` (see waitPreference.ts). */
  wait?: WaitRule<z.output<R>, Parsed<P>>;
  /** Answers the validated request: the body `ok` types by the response schema, or a problem. */
  answer: (input: {
    deps: RouteDeps;
    params: Parsed<P>;
    query: Parsed<Q>;
    ok: (body: z.output<R>) => HttpResponseInit;
  }) => Promise<HttpResponseInit>;
}

/** The route definition of one GET: path first, then query, validated before `answer` runs. */
export function queryRoute<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  R extends z.ZodType = z.ZodType,
>(spec: QueryRouteSpec<P, Q, R>): RouteDefinition {
  const ok = (body: z.output<R>) => jsonAnswer(spec.response, body);
  const none = { ok: true as const, value: {} };
  async function handle(deps: RouteDeps, request: HttpRequest): Promise<HttpResponseInit> {
    const refusedRole = authorizeRole(spec.access, deps.caller);
    if (refusedRole) return refusedRole;
    const params = spec.params ? validate(spec.params, request.params, 'path') : none;
    if (!params.ok) return params.response;
    const query = spec.query
      ? validate(spec.query, Object.fromEntries(request.query.entries()), 'query')
      : none;
    if (!query.ok) return query.response;
    const input = { params: params.value as Parsed<P>, query: query.value as Parsed<Q> };
    // The access check is part of each answer until it passes, so a wait looks the same whether
    // the resource is unknown or not the caller's (both are 404 until the deadline). Once it has
    // passed it is not asked again: who may read a transfer does not change.
    let allowed = false;
    const answer = async () => {
      const refused = allowed ? undefined : await authorizeResource(spec.access, deps, input);
      if (refused) return refused;
      allowed = true;
      return spec.answer({ deps, ...input, ok });
    };
    const seconds = spec.wait && preferredWait(request.headers.get('prefer'));
    if (!spec.wait || !seconds) return answer();
    const { pk, id } = spec.wait.document(input.params);
    return answerAfterWait({
      seconds,
      answer,
      moving: spec.wait.moving,
      written: (withinMs) => deps.stores.views.written(pk, id, withinMs),
    });
  }
  return {
    method: 'GET',
    route: spec.route,
    summary: spec.summary,
    roles: spec.access.roles,
    status: 200,
    params: spec.params,
    query: spec.query,
    idempotencyKey: false,
    response: spec.response,
    refusals: {},
    durableClient: spec.durableClient ?? false,
    waits: spec.wait?.describe,
    handle,
  };
}

/** The statuses a transfer leaves by itself, soon: a wait on a transfer goes on while it has one. */
const MOVING_STATUSES: ReadonlySet<string> = new Set(['requested', 'approved']);

const noAccount = (accountId: string) =>
  problem(404, 'account_not_found', `There is no account ${accountId}.`);
const noTransfer = (transferId: string) =>
  problem(404, 'transfer_not_found', `There is no transfer ${transferId}.`);

/**
 * One stream's events with version >= `fromVersion` (default 1), read from the event store rather
 * than a projection, so operators see what was decided even when a view lags. Past the end of an
 * existing stream the list is empty; a stream without events is `notFound`.
 */
async function streamEvents(
  deps: RouteDeps,
  streamId: string,
  fromVersion: number | undefined,
  ok: (body: z.output<typeof StreamResponseSchema>) => HttpResponseInit,
  notFound: () => HttpResponseInit,
): Promise<HttpResponseInit> {
  const events = await deps.stores.events.readStream(streamId, fromVersion ?? 1);
  // Only an empty answer needs the version asked for: it tells "no such stream" from "nothing newer".
  const version =
    events.length > 0 ? events[events.length - 1].version : await deps.stores.events.streamVersion(streamId);
  if (version === 0) return notFound();
  return ok({
    streamId: streamId as z.output<typeof StreamResponseSchema>['streamId'],
    version,
    events: events.map(
      ({ id, streamId: stream, version: at, type, data, metadata, schemaVersion }) =>
        ({ id, streamId: stream, version: at, type, data, metadata, schemaVersion }) as z.output<
          typeof StreamResponseSchema
        >['events'][number],
    ),
  });
}

export const QUERY_ROUTES = {
  getCommand: queryRoute({
    route: 'commands/{commandId}',
    access: { roles: ['customer', 'approver', 'operator'] },
    summary: 'The outcome of a command',
    params: CommandParamsSchema,
    response: CommandStatusSchema,
    answer: async ({ deps, params: { commandId }, ok }) => {
      const record = await deps.stores.commands.get(commandId);
      // Someone else's command looks like no command, so ids cannot be probed.
      const submittedBy = (record?.metadata as { submittedBy?: unknown } | undefined)?.submittedBy;
      const visible = record && (deps.caller?.roles.includes('operator') || submittedBy === deps.caller?.id);
      if (!record || !visible) return problem(404, 'command_not_found', `There is no command ${commandId}.`);
      return ok({
        commandId: record.id,
        type: record.type,
        status: record.status,
        reason: record.reason,
        submittedAt: record.submittedAt,
        completedAt: record.completedAt,
        attempt: record.attempt ?? 1,
        previousAttempts: record.previousAttempts ?? [],
      });
    },
  }),
  getAccount: queryRoute({
    route: 'accounts/{accountId}',
    access: {
      roles: ['customer', 'operator'],
      check: (deps, caller, { params }) => ownsAccount(deps, caller, params.accountId),
    },
    summary: 'An account (read model)',
    params: AccountParamsSchema,
    response: AccountResponseSchema,
    answer: async ({ deps, params: { accountId }, ok }) => {
      const view = await deps.stores.views.get<AccountView>(accountPartition(accountId), ACCOUNT_VIEW_ID);
      return view ? ok(accountResponse(view)) : noAccount(accountId);
    },
  }),
  getStatement: queryRoute({
    route: 'accounts/{accountId}/statement',
    access: {
      roles: ['customer', 'operator'],
      check: (deps, caller, { params }) => ownsAccount(deps, caller, params.accountId),
    },
    summary: "An account's statement (read model)",
    params: AccountParamsSchema,
    response: StatementResponseSchema,
    answer: async ({ deps, params: { accountId }, ok }) => {
      const pk = accountPartition(accountId);
      const view = await deps.stores.views.get<AccountView>(pk, ACCOUNT_VIEW_ID);
      if (!view) return noAccount(accountId);
      const entries = await deps.stores.views.query<StatementEntry>(pk, {
        where: { view: 'statement' },
        orderBy: 'version',
      });
      return ok({ accountId: view.accountId, entries: entries.map(statementEntryResponse) });
    },
  }),
  getAccountEvents: queryRoute({
    route: 'accounts/{accountId}/events',
    access: {
      roles: ['customer', 'operator'],
      check: (deps, caller, { params }) => ownsAccount(deps, caller, params.accountId),
    },
    summary: "An account's event stream (event store)",
    params: AccountParamsSchema,
    query: StreamQuerySchema,
    response: StreamResponseSchema,
    answer: ({ deps, params: { accountId }, query, ok }) =>
      streamEvents(deps, accountStreamId(accountId), query.fromVersion, ok, () => noAccount(accountId)),
  }),
  getTransfer: queryRoute({
    route: 'transfers/{transferId}',
    access: {
      roles: ['customer', 'approver', 'operator'],
      check: (deps, caller, { params }) => readsTransfer(deps, caller, params.transferId),
    },
    summary: 'A transfer (read model)',
    params: TransferParamsSchema,
    response: TransferResponseSchema,
    wait: {
      moving: (transfer) => transfer === undefined || MOVING_STATUSES.has(transfer.status),
      document: ({ transferId }) => ({ pk: transferPartition(transferId), id: TRANSFER_VIEW_ID }),
      describe:
        'until the transfer is final or awaiting approval (while it is unknown, requested or approved)',
    },
    answer: async ({ deps, params: { transferId }, ok }) => {
      const view = await deps.stores.views.get<TransferView>(transferPartition(transferId), TRANSFER_VIEW_ID);
      return view ? ok(transferResponse(view)) : noTransfer(transferId);
    },
  }),
  getTransferProcess: queryRoute({
    route: 'transfers/{transferId}/process',
    summary: "Where a transfer's process stands (its orchestration's status, without management URLs)",
    params: TransferParamsSchema,
    response: ProcessStatusResponseSchema,
    access: {
      roles: ['customer', 'approver', 'operator'],
      check: (deps, caller, { params }) => readsTransfer(deps, caller, params.transferId),
    },
    durableClient: true,
    answer: async ({ deps, params: { transferId }, ok }) => {
      const status = await deps.processes().status(transferId);
      return status ? ok(status) : noTransfer(transferId);
    },
  }),
  getTransferEvents: queryRoute({
    route: 'transfers/{transferId}/events',
    access: {
      roles: ['customer', 'approver', 'operator'],
      check: (deps, caller, { params }) => readsTransfer(deps, caller, params.transferId),
    },
    summary: "A transfer's event stream (event store)",
    params: TransferParamsSchema,
    query: StreamQuerySchema,
    response: StreamResponseSchema,
    answer: ({ deps, params: { transferId }, query, ok }) =>
      streamEvents(deps, transferStreamId(transferId), query.fromVersion, ok, () => noTransfer(transferId)),
  }),
  listApprovals: queryRoute({
    route: 'approvals',
    access: { roles: ['approver', 'operator'] },
    summary: 'The approvals inbox, soonest deadline first',
    query: ApprovalsQuerySchema,
    response: ApprovalsResponseSchema,
    answer: async ({ deps, query: { status }, ok }) => {
      const entries = await deps.stores.views.query<InboxEntry>(APPROVALS_PARTITION, {
        where: status === 'all' ? { view: 'approval' } : { view: 'approval', status },
        orderBy: 'deadline',
      });
      return ok({ items: entries.map(approvalResponse), asOf: deps.now() });
    },
  }),
  listDeadLetters: queryRoute({
    route: 'deadletters',
    access: { roles: ['operator'] },
    summary: 'Commands that failed after every attempt',
    response: DeadLettersResponseSchema,
    answer: async ({ deps, ok }) => {
      const letters = await deps.stores.views.query<DeadLetter>(DEADLETTERS_PARTITION, {
        orderBy: 'failedAt',
      });
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
    },
  }),
  listReasons: queryRoute({
    route: 'reasons',
    access: { roles: 'anyone' },
    summary: 'Every reason and problem code in words (command outcomes, transfer reasons, problem `code`s)',
    response: ReasonsResponseSchema,
    answer: async ({ ok }) => ok({ reasons: reasonTexts() }),
  }),
} satisfies Record<string, RouteDefinition>;
