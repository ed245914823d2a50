/**
 * The command side of the HTTP API: one entry per command. An entry names the domain's command
 * schema; the route's path parameters, its body (the command's data without the path parameters,
 * the client-chosen id optional), its 202 answer and its OpenAPI description all follow from it.
 * The command id is a hash of the command, so a repeated request is the same command: stored once,
 * answered with the same 202 body. A repeat of a command that was rejected is a new attempt of it
 * (the same id, evaluated again against the current state: a refusal is not a duplicate); a repeat
 * of one pending, succeeded or failed is the duplicate it looks like.
 *
 * An `Idempotency-Key` is bound to the first body sent with it (idempotency.ts): the same key with
 * another body is 422 `idempotency_key_reused`. A command whose repeat would do it twice (a load)
 * needs its id in the body or a key (400 `idempotency_required`).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { commandId as commandIdOf } from '../../domain/commandId';
import {
  CancelTransferSchema,
  CloseAccountSchema,
  DecideTransferSchema,
  LoadCreditsSchema,
  OpenAccountSchema,
  RequestTransferSchema,
} from '../../domain/commands';
import { domainError } from '../../domain/reasons';
import {
  accountOwner,
  authorizeResource,
  authorizeRole,
  mayDecide,
  ownsAccount,
  type Access,
} from '../identity/access';
import { annotate, attr, currentTrace, type TraceCarrier } from '../../telemetry';
import { hasRole, type Role } from '../identity/caller';
import { TRANSFER_VIEW_ID, transferPartition } from '../projections/layout';
import type { TransferView } from '../projections/transferView';
import { currentSettings } from '../settings';
import { admitCommand } from './backPressure';
import { readJsonBody, validate, type BodyResult } from './body';
import { IdempotencyKey } from './idempotency';
import { problem } from './problem';
import { jsonAnswer, type RouteDeps, type RouteDefinition } from './route';
import { IdempotencyKeySchema } from './schemas';

/** A domain command schema: `{type, data}` with a literal type. */
type CommandSchema = z.ZodObject<{
  type: z.ZodLiteral<string>;
  data: z.ZodObject<z.ZodRawShape, z.core.$ZodObjectConfig>;
}>;
type DataOf<S extends CommandSchema> = z.output<S['shape']['data']>;

interface CommandRouteSpec<S extends CommandSchema> {
  command: S;
  /** The path below `api`; each `{name}` is a field of the command's data. */
  route: string;
  summary: string;
  /**
   * The id field a client may leave out: derived from the `Idempotency-Key` header, else new. With
   * `required`, the body must name it or the request carry a key: a retry would otherwise do it twice.
   */
  newId?: { field: keyof DataOf<S> & string; prefix: string; required?: boolean };
  /** Who may send it (see functions/identity/access.ts). */
  access: Access<DataOf<S>>;
  /**
   * The data field that names the caller (`requestedBy`, `approver`, ...): filled from the
   * authenticated principal, never trusted from the body; a body naming someone else is 400
   * `identity_mismatch`, unless the caller has one of `othersFor` (an operator opening an account
   * for a customer). `name` is filled with the caller's display name when the body leaves it out.
   */
  identity?: {
    field: keyof DataOf<S> & string;
    name?: keyof DataOf<S> & string;
    othersFor?: readonly Role[];
  };
  /** URLs the 202 answer adds to the ids, e.g. where to follow the process the command starts. */
  links?: Record<string, (apiBase: string, data: DataOf<S>) => string>;
  /**
   * Refusals judged from the read models before a new command, or a new attempt of a rejected one,
   * is stored; a duplicate (a command pending, succeeded or failed) skips them.
   */
  precheck?: {
    refusals: Record<number, string>;
    check: (deps: RouteDeps, data: DataOf<S>) => Promise<HttpResponseInit | undefined>;
  };
  /**
   * Whether the command is refused (429 `backlog_full`) while the pipeline is behind (backPressure.ts);
   * `false` for commands that finish work already in it (a decision, a cancel). Default true.
   */
  backPressure?: boolean;
}

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

function idempotencyKey(request: HttpRequest): BodyResult<string | undefined> {
  const header = request.headers.get('idempotency-key');
  if (header === null) return { ok: true, value: undefined };
  return validate(IdempotencyKeySchema, header, 'Idempotency-Key header');
}

// zod's pick/omit/partial take a literal mask; these names are only known once the route is read.
const mask = (names: readonly string[]) =>
  Object.fromEntries(names.map((name) => [name, true as const])) as Record<string, never>;

/** The API's absolute base (`https://host/api`) as the caller reached it. */
function apiBase(request: HttpRequest): string {
  return new URL('/api', new URL(request.url).origin).href;
}

/** Fills the caller's fields of the command (see `identity`); a problem when the body names another. */
function nameTheCaller(
  identity: CommandRouteSpec<CommandSchema>['identity'],
  deps: RouteDeps,
  fields: Record<string, unknown>,
): HttpResponseInit | undefined {
  const caller = deps.caller;
  if (!identity || !caller) return undefined;
  const given = fields[identity.field];
  if (given === undefined || given === caller.id) {
    fields[identity.field] = caller.id;
    if (identity.name && fields[identity.name] === undefined) fields[identity.name] = caller.name;
    return undefined;
  }
  if (identity.othersFor && hasRole(caller, ...identity.othersFor)) return undefined;
  return problem(
    400,
    'identity_mismatch',
    `${identity.field} is you (${caller.id}), the signed-in caller; leave it out or send your own id.`,
  );
}

/** Route refusals from several sources; two of one status are one answer with both causes. */
function joinRefusals(...sources: ReadonlyArray<Readonly<Record<number, string>>>): Record<number, string> {
  const joined: Record<number, string> = {};
  for (const source of sources)
    for (const [status, when] of Object.entries(source))
      joined[Number(status)] = joined[Number(status)] ? `${joined[Number(status)]}; ${when}` : when;
  return joined;
}

/** The route definition of one command: its schemas derived from the command's, its handler generic. */
export function commandRoute<S extends CommandSchema>(spec: CommandRouteSpec<S>): RouteDefinition {
  const type = spec.command.shape.type.value;
  const data = spec.command.shape.data;
  const pathNames = [...spec.route.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
  const params = pathNames.length > 0 ? data.pick(mask(pathNames)) : undefined;
  const omitted = data.omit(mask(pathNames));
  const optionalNames = [
    ...(spec.newId ? [spec.newId.field] : []),
    ...(spec.identity ? [spec.identity.field, ...(spec.identity.name ? [spec.identity.name] : [])] : []),
  ];
  const body = optionalNames.length > 0 ? omitted.partial(mask(optionalNames)) : omitted;
  const bodyRequired = !body.safeParse({}).success;
  const idNames = [...pathNames, ...(spec.newId ? [spec.newId.field] : [])];
  const linkNames = Object.keys(spec.links ?? {});
  const response = z.object({
    commandId: z.string(),
    ...data.pick(mask(idNames)).shape,
    ...Object.fromEntries(linkNames.map((name) => [name, z.url()])),
    statusUrl: z.url(),
  });

  async function handle(deps: RouteDeps, request: HttpRequest): Promise<HttpResponseInit> {
    const refusedRole = authorizeRole(spec.access, deps.caller);
    if (refusedRole) return refusedRole;
    const path = params ? validate(params, request.params, 'path') : { ok: true as const, value: {} };
    if (!path.ok) return path.response;
    const key = spec.newId ? idempotencyKey(request) : { ok: true as const, value: undefined };
    if (!key.ok) return key.response;
    const input = await readJsonBody(request, body, { allowEmpty: !bodyRequired });
    if (!input.ok) return input.response;
    const fields: Record<string, unknown> = { ...path.value, ...(input.value as object) };
    const named = nameTheCaller(spec.identity, deps, fields);
    if (named) return named;
    const scope = [type, ...pathNames.map((name) => String(fields[name]))].join(':');
    if (spec.newId && fields[spec.newId.field] === undefined) {
      if (spec.newId.required && key.value === undefined)
        return problem(
          400,
          'idempotency_required',
          `Name the ${spec.newId.field} in the body or send an Idempotency-Key header: a retried ${type} without either would happen twice.`,
        );
      fields[spec.newId.field] = entityId(spec.newId.prefix, scope, key.value);
    }
    // Parsing through the domain schema also normalises what the hash covers (e.g. trimmed names).
    const parsed = validate(spec.command, { type, data: fields }, 'command');
    if (!parsed.ok) return parsed.response;
    const command = parsed.value as { type: string; data: DataOf<S> };
    const refused = await authorizeResource(spec.access, deps, command.data);
    if (refused) return refused;
    const submission = { command, idempotencyKey: key.value, fields, scope };
    if (spec.backPressure === false) return (await submit(deps, request, submission)).answer;
    const now = Date.parse(deps.now());
    const admitted = await admitCommand({ stores: deps.stores, now, limits: currentSettings().backlog });
    if ('refused' in admitted) return admitted.refused;
    let stored: string | undefined;
    try {
      const submitted = await submit(deps, request, submission);
      stored = submitted.stored;
      return submitted.answer;
    } finally {
      if (stored) admitted.slot.accepted(stored, transferIdOf(command.type, command.data), now);
      else admitted.slot.release();
    }
  }

  /**
   * Stores the command (or its new attempt) unless it is refused. `stored`: the command id when the
   * pipeline got new work (a repeat of a command pending, succeeded or failed adds none).
   */
  async function submit(
    deps: RouteDeps,
    request: HttpRequest,
    submission: {
      command: { type: string; data: DataOf<S> };
      idempotencyKey: string | undefined;
      fields: Record<string, unknown>;
      scope: string;
    },
  ): Promise<{ answer: HttpResponseInit; stored?: string }> {
    const { command, fields, scope } = submission;
    const id = commandIdOf(command.type, command.data);
    const ids = Object.fromEntries(idNames.map((name) => [name, String(fields[name])]));
    const links = Object.fromEntries(
      Object.entries(spec.links ?? {}).map(([name, link]) => [name, link(apiBase(request), command.data)]),
    );
    const statusUrl = commandStatusUrl(request, id);
    const accepted = () =>
      jsonAnswer(response, { commandId: id, ...ids, ...links, statusUrl }, 202, { location: statusUrl });
    const keyUse =
      submission.idempotencyKey === undefined
        ? undefined
        : new IdempotencyKey(deps.stores.views, scope, deps.caller?.id, submission.idempotencyKey);
    const reused = () =>
      problem(
        422,
        'idempotency_key_reused',
        'This Idempotency-Key was already used with a different body; send a new key for a new request.',
      );
    if (keyUse) {
      const first = await keyUse.fingerprint();
      if (first !== undefined && first !== id) return { answer: reused() };
    }
    const existing = await deps.stores.commands.get(id);
    // A pending, succeeded or failed command is this request's duplicate; a rejected one is tried again.
    const evaluate = !existing || existing.status === 'rejected';
    if (evaluate && spec.precheck) {
      // Judged from the read models; the command handler judges again on the streams.
      const refusal = await spec.precheck.check(deps, command.data);
      if (refusal) return { answer: refusal };
    }
    // Bound only once the request is accepted, so a refused request leaves the key free.
    if (keyUse && !(await keyUse.claim(id, deps.now()))) return { answer: reused() };
    annotate({
      [attr.COMMAND_ID]: id,
      [attr.COMMAND_TYPE]: command.type,
      ...transferAttribute(command.data),
    });
    if (!existing) {
      await deps.stores.commands.submit({
        id,
        type: command.type,
        data: command.data,
        metadata: { correlationId: id, submittedBy: deps.caller?.id, ...(await commandTrace(deps, command)) },
      });
    } else if (evaluate) {
      await deps.stores.commands.retry(id);
    }
    return { answer: accepted(), ...(evaluate ? { stored: id } : {}) };
  }

  return {
    method: 'POST',
    route: spec.route,
    summary: spec.summary,
    roles: spec.access.roles,
    status: 202,
    params,
    body: { schema: body, required: bodyRequired },
    idempotencyKey: spec.newId ? { field: spec.newId.field, required: spec.newId.required === true } : false,
    response,
    refusals: joinRefusals(
      spec.newId?.required
        ? { 400: `Neither ${spec.newId.field} nor an Idempotency-Key (idempotency_required)` }
        : {},
      spec.newId
        ? { 422: 'The Idempotency-Key was used before with a different body (idempotency_key_reused)' }
        : {},
      spec.precheck?.refusals ?? {},
      spec.backPressure === false
        ? {}
        : {
            429: 'The pipeline is behind; the command was not kept: send it again after Retry-After seconds (backlog_full)',
          },
    ),
    durableClient: false,
    handle,
  };
}

/** The transfer's read model, for the refusals judged at request time. */
function transferView(deps: RouteDeps, transferId: string): Promise<TransferView | undefined> {
  return deps.stores.views.get<TransferView>(transferPartition(transferId), TRANSFER_VIEW_ID);
}

/** Commands on a transfer already requested. */
const FOLLOW_UPS = new Set(['DecideTransfer', 'CancelTransfer']);

/** The transfer a RequestTransfer starts, whose read model says when its process advanced. */
function transferIdOf(type: string, data: object): string | undefined {
  const transferId = (data as { transferId?: unknown }).transferId;
  return type === 'RequestTransfer' && typeof transferId === 'string' ? transferId : undefined;
}

function transferAttribute(data: object): Record<string, string> {
  const transferId = (data as { transferId?: unknown }).transferId;
  return typeof transferId === 'string' ? { [attr.TRANSFER_ID]: transferId } : {};
}

/**
 * The trace the command continues (docs/observability.md): this request's; for a command on a
 * transfer already requested (a decision, a cancel), the transfer's own trace, so the transfer
 * stays one trace end to end — the request that asked is then named as `requestTraceparent`.
 */
async function commandTrace(
  deps: RouteDeps,
  command: { type: string; data: object },
): Promise<(TraceCarrier & { requestTraceparent?: string }) | Record<string, never>> {
  const request = currentTrace();
  const transferId = (command.data as { transferId?: unknown }).transferId;
  const followUp = FOLLOW_UPS.has(command.type) && typeof transferId === 'string';
  const transfer = followUp ? (await transferView(deps, transferId))?.trace : undefined;
  if (transfer) return request ? { ...transfer, requestTraceparent: request.traceparent } : { ...transfer };
  return request ?? {};
}

/** Every command route: adding a command to the API is one entry here. */
export const COMMAND_ROUTES = {
  openAccount: commandRoute({
    command: OpenAccountSchema,
    route: 'accounts',
    summary: 'Open an account (OpenAccount); the owner is the caller, or whom an operator names',
    newId: { field: 'accountId', prefix: 'acc' },
    access: { roles: ['customer', 'operator'] },
    identity: { field: 'ownerId', name: 'ownerName', othersFor: ['operator'] },
  }),
  loadCredits: commandRoute({
    command: LoadCreditsSchema,
    route: 'accounts/{accountId}/loads',
    summary: 'Load credits (LoadCredits) onto an account of your own, or any as an operator',
    // A load retried without its id or a key would load twice.
    newId: { field: 'loadId', prefix: 'load', required: true },
    access: {
      roles: ['customer', 'operator'],
      check: (deps, caller, data) => ownsAccount(deps, caller, data.accountId),
    },
    identity: { field: 'loadedBy' },
  }),
  closeAccount: commandRoute({
    command: CloseAccountSchema,
    route: 'accounts/{accountId}/close',
    summary: 'Close an empty account (CloseAccount) of your own, or any as an operator',
    access: {
      roles: ['customer', 'operator'],
      check: (deps, caller, data) => ownsAccount(deps, caller, data.accountId),
    },
  }),
  requestTransfer: commandRoute({
    command: RequestTransferSchema,
    route: 'transfers',
    summary: 'Request a transfer (RequestTransfer) from an account of your own',
    newId: { field: 'transferId', prefix: 'tr' },
    access: {
      roles: ['customer'],
      check: (deps, caller, data) => ownsAccount(deps, caller, data.fromAccountId, false),
    },
    identity: { field: 'requestedBy' },
    links: { processStatusUrl: (api, data) => `${api}/transfers/${data.transferId}/process` },
    precheck: {
      refusals: {
        400: 'The source and destination are the same account (same_account)',
        404: 'The source or destination account does not exist (account_not_found)',
      },
      // What the request alone reveals; whether the money is there stays the process's (a race by nature).
      check: async (deps, { fromAccountId, toAccountId }) => {
        if (fromAccountId === toAccountId)
          return problem(400, 'same_account', domainError('same_account', fromAccountId).message);
        for (const accountId of [fromAccountId, toAccountId])
          if ((await accountOwner(deps, accountId)) === undefined)
            return problem(404, 'account_not_found', `There is no account ${accountId}.`);
        return undefined;
      },
    },
  }),
  decideTransfer: commandRoute({
    command: DecideTransferSchema,
    route: 'transfers/{transferId}/decision',
    summary: 'Approve or reject a transfer awaiting approval (DecideTransfer); never your own',
    access: { roles: ['approver'], check: (deps, caller, data) => mayDecide(deps, caller, data.transferId) },
    identity: { field: 'approver' },
    // It finishes a transfer already in the pipeline: never held back.
    backPressure: false,
    precheck: {
      refusals: {
        404: 'Unknown transfer (transfer_not_found)',
        409: 'The transfer is not awaiting approval (not_awaiting_approval)',
      },
      check: async (deps, { transferId }) => {
        const transfer = await transferView(deps, transferId);
        if (!transfer) return problem(404, 'transfer_not_found', `There is no transfer ${transferId}.`);
        if (transfer.status === 'awaiting_approval') return undefined;
        return problem(
          409,
          'not_awaiting_approval',
          `Transfer ${transferId} is ${transfer.status}, not awaiting approval.`,
        );
      },
    },
  }),
  cancelTransfer: commandRoute({
    command: CancelTransferSchema,
    route: 'transfers/{transferId}/cancel',
    summary:
      'Cancel a transfer before its destination is credited (CancelTransfer): reserving, awaiting approval or retrying, its reservation is released and it ends failed',
    access: { roles: ['operator'] },
    identity: { field: 'cancelledBy' },
    // It finishes a transfer already in the pipeline: never held back.
    backPressure: false,
    precheck: {
      refusals: {
        404: 'Unknown transfer (transfer_not_found)',
        409: 'The transfer already credited the destination (already_credited) or has already ended (not_cancellable)',
      },
      // What the view shows; a credit the view does not show yet is the command's outcome (already_credited).
      check: async (deps, { transferId }) => {
        const transfer = await transferView(deps, transferId);
        if (!transfer) return problem(404, 'transfer_not_found', `There is no transfer ${transferId}.`);
        if (['requested', 'awaiting_approval', 'approved'].includes(transfer.status)) return undefined;
        if (transfer.status === 'completed')
          return problem(
            409,
            'already_credited',
            `Transfer ${transferId} already credited the destination; it can no longer be cancelled.`,
          );
        return problem(
          409,
          'not_cancellable',
          `Transfer ${transferId} is ${transfer.status}; it has already ended and can no longer be cancelled.`,
        );
      },
    },
  }),
} satisfies Record<string, RouteDefinition>;
