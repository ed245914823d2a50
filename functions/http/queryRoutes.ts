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
import { validate } from './body';
import { problem, reasonTexts } from './problem';
import { jsonAnswer, type RouteDeps, type RouteDefinition } from './route';
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
    const params = spec.params ? validate(spec.params, request.params, 'path') : none;
    if (!params.ok) return params.response;
    const query = spec.query
      ? validate(spec.query, Object.fromEntries(request.query.entries()), 'query')
      : none;
    if (!query.ok) return query.response;
    return spec.answer({
      deps,
      params: params.value as Parsed<P>,
      query: query.value as Parsed<Q>,
      ok,
    });
  }
  return {
    method: 'GET',
    route: spec.route,
    summary: spec.summary,
    status: 200,
    params: spec.params,
    query: spec.query,
    idempotencyKey: false,
    response: spec.response,
    refusals: {},
    durableClient: false,
    handle,
  };
}

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
    summary: 'The outcome of a command',
    params: CommandParamsSchema,
    response: CommandStatusSchema,
    answer: async ({ deps, params: { commandId }, ok }) => {
      const record = await deps.stores.commands.get(commandId);
      if (!record) return problem(404, 'command_not_found', `There is no command ${commandId}.`);
      return ok({
        commandId: record.id,
        type: record.type,
        status: record.status,
        reason: record.reason,
        submittedAt: record.submittedAt,
        completedAt: record.completedAt,
      });
    },
  }),
  getAccount: queryRoute({
    route: 'accounts/{accountId}',
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
    summary: "An account's event stream (event store)",
    params: AccountParamsSchema,
    query: StreamQuerySchema,
    response: StreamResponseSchema,
    answer: ({ deps, params: { accountId }, query, ok }) =>
      streamEvents(deps, accountStreamId(accountId), query.fromVersion, ok, () => noAccount(accountId)),
  }),
  getTransfer: queryRoute({
    route: 'transfers/{transferId}',
    summary: 'A transfer (read model)',
    params: TransferParamsSchema,
    response: TransferResponseSchema,
    answer: async ({ deps, params: { transferId }, ok }) => {
      const view = await deps.stores.views.get<TransferView>(transferPartition(transferId), TRANSFER_VIEW_ID);
      return view ? ok(transferResponse(view)) : noTransfer(transferId);
    },
  }),
  getTransferEvents: queryRoute({
    route: 'transfers/{transferId}/events',
    summary: "A transfer's event stream (event store)",
    params: TransferParamsSchema,
    query: StreamQuerySchema,
    response: StreamResponseSchema,
    answer: ({ deps, params: { transferId }, query, ok }) =>
      streamEvents(deps, transferStreamId(transferId), query.fromVersion, ok, () => noTransfer(transferId)),
  }),
  listApprovals: queryRoute({
    route: 'approvals',
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
    summary: 'Every reason and problem code in words (command outcomes, transfer reasons, problem `code`s)',
    response: ReasonsResponseSchema,
    answer: async ({ ok }) => ok({ reasons: reasonTexts() }),
  }),
} satisfies Record<string, RouteDefinition>;
