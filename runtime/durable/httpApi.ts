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
import type { InstanceWait } from './instanceWrites';
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
  /** A wait for the next write of the instance in this host, for at most `withinMs` (register it before reading). */
  instanceWritten(instanceId: string, withinMs: number): InstanceWait;
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
  purge(instanceId: string): 'purged' | 'notFound';
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
/** The shortest time between two reads of the store by a create-and-wait request (see waitForFinish). */
const CREATE_AND_WAIT_LEAST_RECHECK_MS = 50;

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
  // As the extension: DELETE on an entity signals its `delete` operation.
  { method: 'DELETE', path: 'entities/{entityName}/{entityKey}', handle: signalEntity },
];

/** What the extension asks a client to wait before polling a running instance's status again. */
const STATUS_RETRY_AFTER_SECONDS = '5';
/** What the extension's check-status response asks a client to wait before its first poll. */
const CHECK_STATUS_RETRY_AFTER_SECONDS = '10';

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
  const wait = createAndWaitOf(url);
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
  await answerStarted(ops, res, url, started.instanceId, wait);
}

/**
 * Create-and-wait (`?timeout=S&pollingInterval=S`). As the extension on its default (Azure
 * Storage) provider, which cannot wait without polling: only both parameters together make the
 * request wait; `timeout` alone answers the check-status 202 at once. A polling interval longer than
 * the timeout is the extension's ArgumentException, a 400 (answered here before anything starts).
 */
function createAndWaitOf(url: URL): { timeoutMs: number; pollMs: number } | undefined {
  const timeoutMs = secondsParam(url, 'timeout');
  const pollMs = secondsParam(url, 'pollingInterval');
  if (timeoutMs === undefined || pollMs === undefined) return undefined;
  if (pollMs > timeoutMs)
    throw badRequest(
      `Total timeout ${timeoutMs / 1000} should be bigger than retry timeout ${pollMs / 1000}.`,
    );
  return { timeoutMs, pollMs };
}

/**
 * The answer to a start or restart: the check-status 202, or with create-and-wait what the
 * extension's WaitForCompletionOrCreateCheckStatusResponse answers: 200 with the output when the
 * instance completed in time, its status (as `GET instances/{id}`, a failure is a 200) when it
 * failed or was terminated, else the check-status 202.
 */
async function answerStarted(
  ops: DurableOperations,
  res: ServerResponse,
  url: URL,
  instanceId: string,
  wait: { timeoutMs: number; pollMs: number } | undefined,
): Promise<void> {
  const finished = wait && (await waitForFinish(ops, instanceId, wait.timeoutMs, wait.pollMs));
  if (!finished) return sendCheckStatus(res, ops, url, instanceId);
  if (finished.status === 'Completed') {
    const output = finished.output === null ? null : (JSON.parse(finished.output) as unknown);
    return sendJson(res, 200, output);
  }
  sendJson(res, 200, statusBody(finished, statusOptionsOf(url), historyIfAsked(ops, url, instanceId)));
}

/**
 * Waits, in real time as the extension's Stopwatch, until the instance has finished or `timeoutMs`
 * passed. The extension reads its store every polling interval; here each write of the instance in
 * this host wakes the wait at once (as the extension's providers that wait without polling do), and
 * the store is read again every polling interval, but at most every {@link CREATE_AND_WAIT_LEAST_RECHECK_MS},
 * for writers outside this host (another host process on the same database).
 */
async function waitForFinish(
  ops: DurableOperations,
  instanceId: string,
  timeoutMs: number,
  pollMs: number,
): Promise<InstanceRecord | undefined> {
  const recheckMs = Math.max(pollMs, CREATE_AND_WAIT_LEAST_RECHECK_MS);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Registered before the read: a write landing between the read and the wait still wakes it.
    const written = ops.instanceWritten(instanceId, Math.min(recheckMs, deadline - Date.now()));
    const instance = ops.getInstance(instanceId);
    const finished = instance && isTerminal(instance.status) ? instance : undefined;
    if (finished || Date.now() >= deadline) {
      written.cancel();
      return finished;
    }
    // The host stopping ends the wait: the answer is the check-status 202, as at the timeout.
    if ((await written.settled) === 'closed') return undefined;
  }
}

function sendCheckStatus(res: ServerResponse, ops: DurableOperations, url: URL, instanceId: string): void {
  const urls: ManagementUrls = managementUrls(url.origin, ops.hubName, instanceId, undefined, ops.systemKey);
  sendJson(res, 202, urls, {
    location: urls.statusQueryGetUri,
    'retry-after': CHECK_STATUS_RETRY_AFTER_SECONDS,
  });
}

function statusOptionsOf(url: URL): StatusOptions {
  return {
    showInput: flag(url, 'showInput') ?? true,
    showHistory: flag(url, 'showHistory') ?? false,
    showHistoryOutput: flag(url, 'showHistoryOutput') ?? false,
  };
}

function historyIfAsked(ops: DurableOperations, url: URL, instanceId: string): HistoryEvent[] | undefined {
  return flag(url, 'showHistory') ? ops.history(instanceId) : undefined;
}

function getStatus(ops: DurableOperations, { res, url, params }: HostRequest): void {
  const { instanceId } = params;
  const instance = ops.getInstance(instanceId);
  if (!instance) return sendInstanceNotFound(res, instanceId, { instance: url.pathname });
  const body = statusBody(instance, statusOptionsOf(url), historyIfAsked(ops, url, instanceId));
  switch (instance.status) {
    case 'Pending':
    case 'Running':
    case 'Suspended':
    case 'ContinuedAsNew':
      sendJson(res, 202, body, { location: url.href, 'retry-after': STATUS_RETRY_AFTER_SECONDS });
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
  // The extension's OrchestrationStatusQueryCondition.ShowInput defaults to true.
  const showInput = flag(url, 'showInput') ?? true;
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

/**
 * `POST entities/{name}/{key}?op=` and `DELETE entities/{name}/{key}`, as the extension: DELETE
 * signals `delete`, a missing `op` signals the operation `""`, an empty body signals no input, a
 * JSON body (content type application/json) is parsed (400 when it is not JSON) and any other body
 * is passed as a string.
 */
async function signalEntity(ops: DurableOperations, { req, res, url, params }: HostRequest): Promise<void> {
  const { entityName: name, entityKey: key } = params;
  if (!ops.isEntity(name))
    throw badRequest(`The function '${name}' doesn't exist, is disabled, or is not an entity function.`);
  const operation = req.method === 'DELETE' ? 'delete' : (url.searchParams.get('op') ?? '');
  const text = await readTextBody(req);
  let input: string | null = null;
  if (text !== '')
    input = isJsonContent(req) ? jsonText(text, 'Could not parse JSON content') : JSON.stringify(text);
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

/** `DELETE instances/{id}`: as the extension, any instance the hub knows is purged, running or not. */
function purgeOne(ops: DurableOperations, { res, params }: HostRequest): void {
  const { instanceId } = params;
  if (ops.purge(instanceId) === 'purged') return sendJson(res, 200, { instancesDeleted: 1 });
  sendProblem(res, {
    status: 404,
    title: 'Not Found',
    detail: `No instance with ID '${instanceId}' found.`,
    instancesDeleted: 0,
  });
}

/** `DELETE instances?createdTimeFrom=...`: the extension refuses a purge by filter without `createdTimeFrom`. */
function purgeWhere(ops: DurableOperations, { res, url }: HostRequest): void {
  const filter = instanceFilterOf(url);
  if (filter.createdTimeFrom === undefined)
    throw badRequest("Please provide value for 'createdTimeFrom' parameter.");
  const deleted = ops.purgeWhere(filter);
  if (deleted === 0)
    return sendProblem(res, {
      status: 404,
      title: 'Not Found',
      detail: 'No finished instance matches the filter.',
      instancesDeleted: 0,
    });
  sendJson(res, 200, { instancesDeleted: deleted });
}

/**
 * `POST instances/{id}/raiseEvent/{name}`, checked in the extension's order: 404 unknown, 410
 * finished (Failed included), 400 when the content type is not application/json or the body is not
 * JSON; else 202.
 */
async function raiseEvent(ops: DurableOperations, { req, res, params }: HostRequest): Promise<void> {
  const { instanceId, eventName } = params;
  const instance = ops.getInstance(instanceId);
  if (!instance) return sendInstanceNotFound(res, instanceId);
  if (isTerminal(instance.status)) return sendGone(res, instanceId, 'raise an event to');
  if (!isJsonContent(req)) throw badRequest('Only application/json request content is supported.');
  const text = await readTextBody(req);
  const input = text.trim() === '' ? null : jsonText(text, 'Invalid JSON content');
  answerInstanceCommand(res, instanceId, ops.raiseEvent(instanceId, eventName, input), 'raise an event to');
}

/** `POST instances/{id}/{command}`: one route for all commands, so another method on any of them is a 405. */
function instanceCommand(ops: DurableOperations, request: HostRequest): Promise<void> | void {
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
  const instance = ops.getInstance(instanceId);
  if (instance && ['Completed', 'Terminated', 'Canceled'].includes(instance.status))
    return sendGone(res, instanceId, 'rewind');
  const result = ops.rewind(instanceId, reason);
  // Azure's client throws (a 500) for a Running, Pending or Suspended instance; a 4xx here.
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

async function restart(
  ops: DurableOperations,
  res: ServerResponse,
  url: URL,
  instanceId: string,
): Promise<void> {
  const instance = ops.getInstance(instanceId);
  if (!instance) return sendInstanceNotFound(res, instanceId);
  const newId = flag(url, 'restartWithNewInstanceId') === false ? instanceId : undefined;
  const wait = createAndWaitOf(url);
  const started = ops.startNew(instance.name, newId, instance.input, instance.version ?? undefined);
  if (!started.ok)
    throw new ProblemError({
      status: 409,
      title: 'Conflict',
      detail: `Instance '${instanceId}' is ${started.status}; only a finished instance restarts with the same ID.`,
    });
  await answerStarted(ops, res, url, started.instanceId, wait);
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
    sendGone(res, instanceId, what);
  }
}

function sendGone(res: ServerResponse, instanceId: string, what: string): void {
  sendProblem(res, {
    status: 410,
    title: 'Gone',
    detail: `Instance '${instanceId}' has already finished; cannot ${what} it.`,
  });
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
  const text = await readTextBody(req);
  return text.trim() === '' ? null : jsonText(text, 'The body is not valid JSON');
}

async function readTextBody(req: IncomingMessage): Promise<string> {
  const read = await readBody(req, MAX_BODY_BYTES);
  if (read.tooLarge)
    throw new ProblemError({
      status: 413,
      title: 'Content Too Large',
      detail: `The body exceeds ${MAX_BODY_BYTES} bytes.`,
    });
  return read.body.toString('utf8');
}

/** JSON text normalized; a 400 with `what` when it is not JSON. */
function jsonText(text: string, what: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    throw badRequest(`${what}.`);
  }
}

/** Is the request's media type application/json (parameters such as charset aside)? */
function isJsonContent(req: IncomingMessage): boolean {
  const type = req.headers['content-type'];
  return typeof type === 'string' && type.split(';')[0].trim().toLowerCase() === 'application/json';
}
