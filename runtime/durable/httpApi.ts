/**
 * The Durable Functions HTTP API at /runtime/webhooks/durabletask/... (the route table of the Azure
 * extension), served also at /runtime/durabletask-rpc/... for the SDK's DurableClient (`rpcBaseUrl`).
 * Access to both bases is decided by the request pipeline (http/auth.ts), not here. Errors are RFC
 * 9457 problem documents; bad input is a 4xx, never a 500.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DURABLE_RPC_PATH } from '../http/auth';
import { readBody } from '../http/body';
import { sendEmpty, sendJson } from '../http/json';
import { ProblemError, sendProblem } from '../http/problem';
import { createHostRouter, type HostRequest, type HostRoute, type HostRouter } from '../http/router';
import { managementUrls, WEBHOOK_PATH, type ManagementUrls } from './clientData';
import type { EntityRecord } from './entityStore';
import type { HistoryEvent } from './historyEvents';
import {
  badRequest,
  CONTINUATION_HEADER,
  dateParam,
  decodeEntityToken,
  decodeInstanceToken,
  encodeEntityToken,
  encodeInstanceToken,
  flag,
  instanceFilterOf,
  pageSizeOf,
  secondsParam,
  type InstancePageKey,
} from './httpQuery';
import { statusBody, type StatusOptions } from './statusView';
import { isTerminal, type InstanceFilter, type InstanceRecord, type RuntimeStatus } from './store';

/** What the HTTP API needs from the durable service. */
export interface DurableOperations {
  readonly hubName: string;
  /** Put as `code=` into the management URLs the API answers with; undefined in dev mode. */
  readonly systemKey?: string;
  isOrchestrator(name: string): boolean;
  startNew(
    name: string,
    instanceId: string | undefined,
    input: string | null,
    version?: string,
  ): { ok: true; instanceId: string } | { ok: false; status: RuntimeStatus };
  getInstance(instanceId: string): InstanceRecord | undefined;
  history(instanceId: string): HistoryEvent[];
  list(
    filter: InstanceFilter,
    pageSize: number,
    after?: InstancePageKey,
  ): { rows: InstanceRecord[]; last?: InstancePageKey };
  raiseEvent(instanceId: string, name: string, input: string | null): 'accepted' | 'notFound' | 'gone';
  terminate(instanceId: string, reason: string | null): 'accepted' | 'notFound' | 'gone';
  suspend(instanceId: string, reason: string | null): 'accepted' | 'notFound' | 'gone';
  resume(instanceId: string, reason: string | null): 'accepted' | 'notFound' | 'gone';
  rewind(instanceId: string, reason: string | null): 'accepted' | 'notFound' | 'notFailed';
  purge(instanceId: string): 'purged' | 'notFound' | 'running';
  purgeWhere(filter: InstanceFilter): number;
  isEntity(name: string): boolean;
  signalEntity(name: string, key: string, operation: string, input: string | null): void;
  readEntity(name: string, key: string): EntityRecord | undefined;
  listEntities(
    filter: { name?: string; updatedFrom?: number; updatedTo?: number },
    pageSize: number,
    after?: string,
  ): { rows: EntityRecord[]; last?: string };
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

type Handler = (ops: DurableOperations, request: HostRequest) => Promise<void> | void;

/** The extension's route table, below either base. */
const ROUTES: ReadonlyArray<{ method: string; path: string; handle: Handler }> = [
  { method: 'POST', path: 'orchestrators/{functionName}/{instanceId?}', handle: startOrchestration },
  { method: 'GET', path: 'instances', handle: listInstances },
  { method: 'DELETE', path: 'instances', handle: purgeWhere },
  { method: 'GET', path: 'instances/{instanceId}', handle: getStatus },
  { method: 'DELETE', path: 'instances/{instanceId}', handle: purgeOne },
  { method: 'POST', path: 'instances/{instanceId}/raiseEvent/{eventName}', handle: raiseEvent },
  { method: 'POST', path: 'instances/{instanceId}/{command}', handle: instanceCommand },
  { method: 'GET', path: 'entities/{entityName?}', handle: listEntities },
  { method: 'GET', path: 'entities/{entityName}/{entityKey}', handle: readEntity },
  { method: 'POST', path: 'entities/{entityName}/{entityKey}', handle: signalEntity },
];

/** The router of the API at both bases; its `handle` is the service's. */
export function createDurableHttpApi(ops: DurableOperations): HostRouter {
  const routes: HostRoute[] = ROUTES.map(({ method, path, handle }) => ({
    method,
    path,
    handle: (request) => handle(ops, request),
  }));
  return createHostRouter(
    [WEBHOOK_PATH, DURABLE_RPC_PATH].map((base) => ({
      base,
      routes,
      notFound: answerNoRoute,
      methodNotAllowed: ({ req, res }, allow) =>
        sendProblem(
          res,
          {
            status: 405,
            title: 'Method Not Allowed',
            detail: `${req.method} is not allowed here; allowed: ${allow.join(', ')}.`,
          },
          { allow: allow.join(', ') },
        ),
    })),
  );
}

/** 404 for a path below a base that no route serves; 400 when one of its segments is not decodable. */
function answerNoRoute({ res, url }: HostRequest): void {
  for (const segment of url.pathname.split('/')) {
    try {
      decodeURIComponent(segment);
    } catch {
      throw badRequest(`Malformed URL segment '${segment}'.`);
    }
  }
  sendProblem(res, {
    status: 404,
    title: 'Not Found',
    detail: `No durable API route matches ${url.pathname}.`,
    instance: url.pathname,
  });
}

async function startOrchestration(
  ops: DurableOperations,
  { req, res, url, params }: HostRequest,
): Promise<void> {
  const { functionName: name, instanceId: requestedId } = params;
  if (!ops.isOrchestrator(name)) {
    throw badRequest(
      `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`,
    );
  }
  if (requestedId !== undefined) validateInstanceId(requestedId);
  const waitMs = secondsParam(url, 'timeout');
  const pollMs = secondsParam(url, 'pollingInterval');
  const input = await readJsonBody(req);
  const version = url.searchParams.get('version') ?? undefined;
  const started = ops.startNew(name, requestedId, input, version);
  if (!started.ok) {
    throw new ProblemError({
      status: 409,
      title: 'Conflict',
      detail: `An orchestration instance with ID '${requestedId}' already exists and is ${started.status}.`,
    });
  }
  if (waitMs !== undefined) {
    // Create-and-wait: the output (200) if the instance finishes within the timeout, else the check-status 202.
    const finished = await waitForFinish(ops, started.instanceId, waitMs, Math.min(pollMs ?? 1000, 50));
    if (finished) {
      const output = finished.output === null ? null : (JSON.parse(finished.output) as unknown);
      sendJson(res, 200, output);
      return;
    }
  }
  sendCheckStatus(res, ops, url, started.instanceId);
}

async function waitForFinish(
  ops: DurableOperations,
  instanceId: string,
  timeoutMs: number,
  pollMs: number,
): Promise<InstanceRecord | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const instance = ops.getInstance(instanceId);
    if (instance && isTerminal(instance.status)) return instance;
    if (Date.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.min(pollMs, deadline - Date.now()))));
  }
}

function sendCheckStatus(res: ServerResponse, ops: DurableOperations, url: URL, instanceId: string): void {
  const urls: ManagementUrls = managementUrls(url.origin, ops.hubName, instanceId, undefined, ops.systemKey);
  sendJson(res, 202, urls, { location: urls.statusQueryGetUri, 'retry-after': '10' });
}

function getStatus(ops: DurableOperations, { res, url, params }: HostRequest): void {
  const { instanceId } = params;
  const instance = ops.getInstance(instanceId);
  if (!instance) return sendInstanceNotFound(res, instanceId, { instance: url.pathname });
  const options: StatusOptions = {
    showInput: flag(url, 'showInput') ?? true,
    showHistory: flag(url, 'showHistory') ?? false,
    showHistoryOutput: flag(url, 'showHistoryOutput') ?? false,
  };
  const body = statusBody(instance, options, options.showHistory ? ops.history(instanceId) : undefined);
  switch (instance.status) {
    case 'Pending':
    case 'Running':
    case 'Suspended':
    case 'ContinuedAsNew':
      sendJson(res, 202, body, { location: url.href, 'retry-after': '10' });
      return;
    case 'Failed':
      sendJson(res, flag(url, 'returnInternalServerErrorOnFailure') ? 500 : 200, body);
      return;
    default:
      sendJson(res, 200, body);
  }
}

function listInstances(ops: DurableOperations, { req, res, url }: HostRequest): void {
  const filter = instanceFilterOf(url);
  const pageSize = pageSizeOf(url);
  const token = req.headers[CONTINUATION_HEADER];
  const after = typeof token === 'string' && token !== '' ? decodeInstanceToken(token) : undefined;
  const page = ops.list(filter, pageSize, after);
  const showInput = flag(url, 'showInput') ?? false;
  const body = page.rows.map((row) => statusBody(row, { showInput }));
  sendJson(res, 200, body, page.last ? { [CONTINUATION_HEADER]: encodeInstanceToken(page.last) } : {});
}

function readEntity(ops: DurableOperations, { res, url, params }: HostRequest): void {
  const { entityName: name, entityKey: key } = params;
  const entity = ops.readEntity(name, key);
  // An entity that exists without state reads as absent, as in the extension.
  if (!entity || entity.state === null) {
    sendProblem(res, {
      status: 404,
      title: 'Not Found',
      detail: `No entity '@${name.toLowerCase()}@${key}' with state found.`,
      instance: url.pathname,
    });
    return;
  }
  sendJson(res, 200, JSON.parse(entity.state));
}

async function signalEntity(ops: DurableOperations, { req, res, url, params }: HostRequest): Promise<void> {
  const { entityName: name, entityKey: key } = params;
  if (!ops.isEntity(name))
    throw badRequest(`The function '${name}' doesn't exist, is disabled, or is not an entity function.`);
  const operation = url.searchParams.get('op');
  if (!operation) throw badRequest('The op query parameter (operation name) is required.');
  const input = await readJsonBody(req);
  ops.signalEntity(name, key, operation, input);
  sendEmpty(res, 202);
}

function listEntities(ops: DurableOperations, { req, res, url, params }: HostRequest): void {
  const name = params.entityName;
  const pageSize = pageSizeOf(url);
  const filter: { name?: string; updatedFrom?: number; updatedTo?: number } = name ? { name } : {};
  const from = dateParam(url, 'lastOperationTimeFrom');
  const to = dateParam(url, 'lastOperationTimeTo');
  if (from !== undefined) filter.updatedFrom = from;
  if (to !== undefined) filter.updatedTo = to;
  const token = req.headers[CONTINUATION_HEADER];
  const after = typeof token === 'string' && token !== '' ? decodeEntityToken(token) : undefined;
  const fetchState = flag(url, 'fetchState') ?? false;
  const page = ops.listEntities(filter, pageSize, after);
  const body = page.rows.map((e) => ({
    entityId: { name: e.name, key: e.key },
    lastOperationTime: new Date(e.updatedAt).toISOString(),
    ...(fetchState ? { state: e.state === null ? null : (JSON.parse(e.state) as unknown) } : {}),
  }));
  sendJson(res, 200, body, page.last ? { [CONTINUATION_HEADER]: encodeEntityToken(page.last) } : {});
}

function purgeOne(ops: DurableOperations, { res, params }: HostRequest): void {
  const { instanceId } = params;
  const result = ops.purge(instanceId);
  if (result === 'purged') return sendJson(res, 200, { instancesDeleted: 1 });
  const detail =
    result === 'running'
      ? `Instance '${instanceId}' has not finished; only finished instances are purged.`
      : `No instance with ID '${instanceId}' found.`;
  sendProblem(res, { status: 404, title: 'Not Found', detail, instancesDeleted: 0 });
}

function purgeWhere(ops: DurableOperations, { res, url }: HostRequest): void {
  const deleted = ops.purgeWhere(instanceFilterOf(url));
  if (deleted === 0)
    return sendProblem(res, {
      status: 404,
      title: 'Not Found',
      detail: 'No finished instance matches the filter.',
      instancesDeleted: 0,
    });
  sendJson(res, 200, { instancesDeleted: deleted });
}

async function raiseEvent(ops: DurableOperations, { req, res, params }: HostRequest): Promise<void> {
  const { instanceId, eventName } = params;
  const input = await readJsonBody(req);
  answerInstanceCommand(res, instanceId, ops.raiseEvent(instanceId, eventName, input), 'raise an event to');
}

/** `POST instances/{id}/{command}`: one route for all commands, so another method on any of them is a 405. */
function instanceCommand(ops: DurableOperations, request: HostRequest): void {
  const { res, url, params } = request;
  const { instanceId, command } = params;
  const reason = url.searchParams.get('reason');
  switch (command) {
    case 'terminate':
      return answerInstanceCommand(res, instanceId, ops.terminate(instanceId, reason), 'terminate');
    case 'suspend':
      return answerInstanceCommand(res, instanceId, ops.suspend(instanceId, reason), 'suspend');
    case 'resume':
      return answerInstanceCommand(res, instanceId, ops.resume(instanceId, reason), 'resume');
    case 'rewind':
      return rewind(ops, res, instanceId, reason);
    case 'restart':
      return restart(ops, res, url, instanceId);
    default:
      return answerNoRoute(request);
  }
}

function rewind(
  ops: DurableOperations,
  res: ServerResponse,
  instanceId: string,
  reason: string | null,
): void {
  const result = ops.rewind(instanceId, reason);
  if (result === 'notFailed') {
    sendProblem(res, {
      status: 412,
      title: 'Precondition Failed',
      detail: `Instance '${instanceId}' has not failed; only failed instances can be rewound.`,
    });
    return;
  }
  answerInstanceCommand(res, instanceId, result, 'rewind');
}

function restart(ops: DurableOperations, res: ServerResponse, url: URL, instanceId: string): void {
  const instance = ops.getInstance(instanceId);
  if (!instance) return sendInstanceNotFound(res, instanceId);
  const newId = flag(url, 'restartWithNewInstanceId') === false ? instanceId : undefined;
  const started = ops.startNew(instance.name, newId, instance.input, instance.version ?? undefined);
  if (!started.ok)
    throw new ProblemError({
      status: 409,
      title: 'Conflict',
      detail: `Instance '${instanceId}' is ${started.status}; only a finished instance restarts with the same ID.`,
    });
  sendCheckStatus(res, ops, url, started.instanceId);
}

/** Azure's 404 for an instance id the hub does not know. */
function sendInstanceNotFound(
  res: ServerResponse,
  instanceId: string,
  extra: { instance?: string } = {},
): void {
  sendProblem(res, {
    status: 404,
    title: 'Not Found',
    detail: `No instance with ID '${instanceId}' found.`,
    ...extra,
  });
}

function answerInstanceCommand(
  res: ServerResponse,
  instanceId: string,
  result: 'accepted' | 'notFound' | 'gone',
  what: string,
): void {
  if (result === 'accepted') {
    sendEmpty(res, 202);
  } else if (result === 'notFound') {
    sendInstanceNotFound(res, instanceId);
  } else {
    sendProblem(res, {
      status: 410,
      title: 'Gone',
      detail: `Instance '${instanceId}' has already finished; cannot ${what} it.`,
    });
  }
}

/** Azure's rule for instance ids: no slashes, '#', '?' or control characters, at most 256 characters. */
function validateInstanceId(id: string): void {
  // eslint-disable-next-line no-control-regex
  if (id.length === 0 || id.length > 256 || /[/\\#?\u0000-\u001f\u007f]/.test(id)) {
    throw badRequest(
      `Invalid instance ID '${id}': 1-256 characters without '/', '\\', '#', '?' or control characters.`,
    );
  }
}

/** The body as normalized JSON text; an empty body is null. */
async function readJsonBody(req: IncomingMessage): Promise<string | null> {
  const read = await readBody(req, MAX_BODY_BYTES);
  if (read.tooLarge)
    throw new ProblemError({
      status: 413,
      title: 'Content Too Large',
      detail: `The body exceeds ${MAX_BODY_BYTES} bytes.`,
    });
  const text = read.body.toString('utf8');
  if (text.trim() === '') return null;
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    throw badRequest('The body is not valid JSON.');
  }
}
