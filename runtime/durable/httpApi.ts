/**
 * The Durable Functions HTTP API at /runtime/webhooks/durabletask/... (the route table of the Azure
 * extension), served also at /runtime/durabletask-rpc/... for the SDK's DurableClient (`rpcBaseUrl`).
 * Access to both bases is decided by the request pipeline (http/auth.ts), not here. Errors are RFC
 * 9457 problem documents; bad input is a 4xx, never a 500.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DURABLE_RPC_PATH } from '../http/auth';
import { sendProblem } from '../http/problem';
import { managementUrls, WEBHOOK_PATH, type ManagementUrls } from './clientData';
import { statusBody, type StatusOptions } from './statusView';
import {
  isTerminal,
  RUNTIME_STATUSES,
  type InstanceFilter,
  type InstanceRecord,
  type RuntimeStatus,
} from './store';
import type { HistoryEvent } from './historyEvents';
import type { EntityRecord } from './entityStore';

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
    after?: { createdAt: number; instanceId: string },
  ): { rows: InstanceRecord[]; last?: { createdAt: number; instanceId: string } };
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
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;
const CONTINUATION_HEADER = 'x-ms-continuation-token';

class BadRequest extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
  ) {
    super(detail);
  }
}

/** Serves the request when its path is under the durable webhook or RPC path; resolves false otherwise. */
export async function handleDurableHttp(
  ops: DurableOperations,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<boolean> {
  const base = [WEBHOOK_PATH, DURABLE_RPC_PATH].find(
    (b) => url.pathname === b || url.pathname.startsWith(`${b}/`),
  );
  if (base === undefined) return false;
  try {
    await route(ops, req, res, url, base);
  } catch (err) {
    if (err instanceof BadRequest)
      sendProblem(res, { status: err.status, title: err.title, detail: err.message, instance: url.pathname });
    else throw err;
  }
  return true;
}

async function route(
  ops: DurableOperations,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  base: string,
): Promise<void> {
  const segments = url.pathname
    .slice(base.length)
    .split('/')
    .filter((s) => s !== '')
    .map(decodeSegment);
  const method = (req.method ?? 'GET').toUpperCase();
  const [area, id, action, extra] = segments;

  if (area === 'orchestrators' && id && segments.length <= 3) {
    if (method !== 'POST') return notAllowed(res, method, ['POST']);
    return startOrchestration(ops, req, res, url, id, segments[2]);
  }
  if (area === 'instances' && segments.length === 1) {
    if (method === 'GET') return listInstances(ops, req, res, url);
    if (method === 'DELETE') return purgeWhere(ops, res, url);
    return notAllowed(res, method, ['GET', 'DELETE']);
  }
  if (area === 'instances' && id && segments.length === 2) {
    if (method === 'GET') return getStatus(ops, res, url, id);
    if (method === 'DELETE') return purgeOne(ops, res, id);
    return notAllowed(res, method, ['GET', 'DELETE']);
  }
  if (area === 'instances' && id && action === 'raiseEvent' && extra && segments.length === 4) {
    if (method !== 'POST') return notAllowed(res, method, ['POST']);
    return raiseEvent(ops, req, res, id, extra);
  }
  if (area === 'instances' && id && segments.length === 3) {
    if (method !== 'POST') return notAllowed(res, method, ['POST']);
    switch (action) {
      case 'terminate':
        return terminate(ops, res, url, id);
      case 'restart':
        return restart(ops, res, url, id);
      case 'suspend':
        return answerInstanceCommand(res, id, ops.suspend(id, url.searchParams.get('reason')), 'suspend');
      case 'resume':
        return answerInstanceCommand(res, id, ops.resume(id, url.searchParams.get('reason')), 'resume');
      case 'rewind':
        return rewind(ops, res, url, id);
    }
  }
  if (area === 'entities' && segments.length <= 2) {
    if (method !== 'GET') return notAllowed(res, method, ['GET']);
    return listEntities(ops, req, res, url, id);
  }
  if (area === 'entities' && id && action !== undefined && segments.length === 3) {
    if (method === 'GET') return readEntity(ops, res, url, id, action);
    if (method === 'POST') return signalEntity(ops, req, res, url, id, action);
    return notAllowed(res, method, ['GET', 'POST']);
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
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  name: string,
  requestedId: string | undefined,
): Promise<void> {
  if (!ops.isOrchestrator(name)) {
    throw new BadRequest(
      400,
      'Bad Request',
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
    throw new BadRequest(
      409,
      'Conflict',
      `An orchestration instance with ID '${requestedId}' already exists and is ${started.status}.`,
    );
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

/** A duration query parameter in seconds (as the extension's create-and-wait takes), in ms. */
function secondsParam(url: URL, name: string): number | undefined {
  const text = url.searchParams.get(name);
  if (text === null || text === '') return undefined;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 3600)
    throw new BadRequest(
      400,
      'Bad Request',
      `${name} must be a number of seconds from 0 to 3600, got '${text}'.`,
    );
  return seconds * 1000;
}

function sendCheckStatus(res: ServerResponse, ops: DurableOperations, url: URL, instanceId: string): void {
  const urls: ManagementUrls = managementUrls(url.origin, ops.hubName, instanceId, undefined, ops.systemKey);
  sendJson(res, 202, urls, { location: urls.statusQueryGetUri, 'retry-after': '10' });
}

function getStatus(ops: DurableOperations, res: ServerResponse, url: URL, instanceId: string): void {
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

function listInstances(ops: DurableOperations, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const filter = parseFilter(url);
  const topText = url.searchParams.get('top');
  let pageSize = DEFAULT_PAGE_SIZE;
  if (topText !== null) {
    pageSize = Number(topText);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw new BadRequest(400, 'Bad Request', `top must be an integer from 1 to ${MAX_PAGE_SIZE}.`);
    }
  }
  const token = req.headers[CONTINUATION_HEADER];
  const after = typeof token === 'string' && token !== '' ? decodeToken(token) : undefined;
  const page = ops.list(filter, pageSize, after);
  const showInput = flag(url, 'showInput') ?? false;
  const body = page.rows.map((row) => statusBody(row, { showInput }));
  sendJson(res, 200, body, page.last ? { [CONTINUATION_HEADER]: encodeToken(page.last) } : {});
}

function readEntity(ops: DurableOperations, res: ServerResponse, url: URL, name: string, key: string): void {
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

async function signalEntity(
  ops: DurableOperations,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  name: string,
  key: string,
): Promise<void> {
  if (!ops.isEntity(name))
    throw new BadRequest(
      400,
      'Bad Request',
      `The function '${name}' doesn't exist, is disabled, or is not an entity function.`,
    );
  const operation = url.searchParams.get('op');
  if (!operation)
    throw new BadRequest(400, 'Bad Request', 'The op query parameter (operation name) is required.');
  const input = await readJsonBody(req);
  ops.signalEntity(name, key, operation, input);
  res.writeHead(202, { 'content-length': '0' });
  res.end();
}

function listEntities(
  ops: DurableOperations,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  name: string | undefined,
): void {
  const pageSize = pageSizeOf(url);
  const filter: { name?: string; updatedFrom?: number; updatedTo?: number } = name ? { name } : {};
  const from = dateParam(url, 'lastOperationTimeFrom');
  const to = dateParam(url, 'lastOperationTimeTo');
  if (from !== undefined) filter.updatedFrom = from;
  if (to !== undefined) filter.updatedTo = to;
  const token = req.headers[CONTINUATION_HEADER];
  let after: string | undefined;
  if (typeof token === 'string' && token !== '') {
    after = Buffer.from(token, 'base64url').toString('utf8');
    if (!after.startsWith('@')) throw new BadRequest(400, 'Bad Request', 'Invalid x-ms-continuation-token.');
  }
  const fetchState = flag(url, 'fetchState') ?? false;
  const page = ops.listEntities(filter, pageSize, after);
  const body = page.rows.map((e) => ({
    entityId: { name: e.name, key: e.key },
    lastOperationTime: new Date(e.updatedAt).toISOString(),
    ...(fetchState ? { state: e.state === null ? null : (JSON.parse(e.state) as unknown) } : {}),
  }));
  sendJson(
    res,
    200,
    body,
    page.last ? { [CONTINUATION_HEADER]: Buffer.from(page.last).toString('base64url') } : {},
  );
}

function pageSizeOf(url: URL): number {
  const topText = url.searchParams.get('top');
  if (topText === null) return DEFAULT_PAGE_SIZE;
  const pageSize = Number(topText);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE)
    throw new BadRequest(400, 'Bad Request', `top must be an integer from 1 to ${MAX_PAGE_SIZE}.`);
  return pageSize;
}

function dateParam(url: URL, key: string): number | undefined {
  const text = url.searchParams.get(key);
  if (text === null || text === '') return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms))
    throw new BadRequest(400, 'Bad Request', `${key} must be a date-time, got '${text}'.`);
  return ms;
}

function purgeOne(ops: DurableOperations, res: ServerResponse, instanceId: string): void {
  const result = ops.purge(instanceId);
  if (result === 'purged') return sendJson(res, 200, { instancesDeleted: 1 });
  const detail =
    result === 'running'
      ? `Instance '${instanceId}' has not finished; only finished instances are purged.`
      : `No instance with ID '${instanceId}' found.`;
  sendProblem(res, { status: 404, title: 'Not Found', detail, instancesDeleted: 0 });
}

function purgeWhere(ops: DurableOperations, res: ServerResponse, url: URL): void {
  const deleted = ops.purgeWhere(parseFilter(url));
  if (deleted === 0)
    return sendProblem(res, {
      status: 404,
      title: 'Not Found',
      detail: 'No finished instance matches the filter.',
      instancesDeleted: 0,
    });
  sendJson(res, 200, { instancesDeleted: deleted });
}

async function raiseEvent(
  ops: DurableOperations,
  req: IncomingMessage,
  res: ServerResponse,
  instanceId: string,
  eventName: string,
): Promise<void> {
  const input = await readJsonBody(req);
  answerInstanceCommand(res, instanceId, ops.raiseEvent(instanceId, eventName, input), 'raise an event to');
}

function terminate(ops: DurableOperations, res: ServerResponse, url: URL, instanceId: string): void {
  answerInstanceCommand(
    res,
    instanceId,
    ops.terminate(instanceId, url.searchParams.get('reason')),
    'terminate',
  );
}

function rewind(ops: DurableOperations, res: ServerResponse, url: URL, instanceId: string): void {
  const result = ops.rewind(instanceId, url.searchParams.get('reason'));
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
    throw new BadRequest(
      409,
      'Conflict',
      `Instance '${instanceId}' is ${started.status}; only a finished instance restarts with the same ID.`,
    );
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
    res.writeHead(202, { 'content-length': '0' });
    res.end();
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

function parseFilter(url: URL): InstanceFilter {
  const filter: InstanceFilter = {};
  const statuses = url.searchParams.get('runtimeStatus');
  if (statuses) {
    filter.runtimeStatus = statuses.split(',').map((s) => {
      const found = RUNTIME_STATUSES.find((r) => r.toLowerCase() === s.trim().toLowerCase());
      if (!found)
        throw new BadRequest(
          400,
          'Bad Request',
          `Unknown runtimeStatus '${s}'; expected one of ${RUNTIME_STATUSES.join(', ')}.`,
        );
      return found;
    });
  }
  for (const key of ['createdTimeFrom', 'createdTimeTo'] as const) {
    const text = url.searchParams.get(key);
    if (text === null || text === '') continue;
    const ms = Date.parse(text);
    if (Number.isNaN(ms))
      throw new BadRequest(400, 'Bad Request', `${key} must be a date-time, got '${text}'.`);
    filter[key] = ms;
  }
  const prefix = url.searchParams.get('instanceIdPrefix');
  if (prefix) filter.instanceIdPrefix = prefix;
  return filter;
}

function flag(url: URL, name: string): boolean | undefined {
  const value = url.searchParams.get(name);
  if (value === null) return undefined;
  if (value === '' || value.toLowerCase() === 'true') return true;
  if (value.toLowerCase() === 'false') return false;
  throw new BadRequest(400, 'Bad Request', `${name} must be true or false, got '${value}'.`);
}

/** Azure's rule for instance ids: no slashes, '#', '?' or control characters, at most 256 characters. */
function validateInstanceId(id: string): void {
  // eslint-disable-next-line no-control-regex
  if (id.length === 0 || id.length > 256 || /[/\\#?\u0000-\u001f\u007f]/.test(id)) {
    throw new BadRequest(
      400,
      'Bad Request',
      `Invalid instance ID '${id}': 1-256 characters without '/', '\\', '#', '?' or control characters.`,
    );
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new BadRequest(400, 'Bad Request', `Malformed URL segment '${segment}'.`);
  }
}

/** The body as normalized JSON text; an empty body is null. */
async function readJsonBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buffer.length;
    if (size > MAX_BODY_BYTES)
      throw new BadRequest(413, 'Content Too Large', `The body exceeds ${MAX_BODY_BYTES} bytes.`);
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return null;
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    throw new BadRequest(400, 'Bad Request', 'The body is not valid JSON.');
  }
}

function encodeToken(key: { createdAt: number; instanceId: string }): string {
  return Buffer.from(JSON.stringify([key.createdAt, key.instanceId])).toString('base64url');
}

function decodeToken(token: string): { createdAt: number; instanceId: string } {
  try {
    const [createdAt, instanceId] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as [
      unknown,
      unknown,
    ];
    if (typeof createdAt === 'number' && typeof instanceId === 'string') return { createdAt, instanceId };
  } catch {
    // falls through to the 400 below
  }
  throw new BadRequest(400, 'Bad Request', 'Invalid x-ms-continuation-token.');
}

function notAllowed(res: ServerResponse, method: string, allow: string[]): void {
  sendProblem(
    res,
    {
      status: 405,
      title: 'Method Not Allowed',
      detail: `${method} is not allowed here; allowed: ${allow.join(', ')}.`,
    },
    { allow: allow.join(', ') },
  );
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
