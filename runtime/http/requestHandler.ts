/**
 * The host's HTTP pipeline: the key check of the host's own routes (`/runtime/...`, see
 * `authorizeSystemRoute`), host services (they own those routes), then the app's HTTP triggers
 * (route, method, key), each request invoked through the worker model.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppRegistry, HostService, InvokeRequest, Invoker, Logger, RpcTypedData } from '../contracts';
import { describeError } from '../worker/invoker';
import { stripPrincipal, type EasyAuth } from '../easyauth/easyAuth';
import { authorizeSystemRoute, isAuthorized, systemRouteAccess, type HostKeys } from './auth';
import { capRequestBody, declaredLength, readBody, RequestAbortedError, stopReading } from './body';
import { holdUntilDurable } from './durableAnswers';
import { describeBytes, hostLimitApplies, REQUEST_BODY_SIZE_LIMIT_SETTING } from './bodyLimit';
import type { HttpRoute, HttpRouteTable } from './httpRoutes';
import { sendProblem } from './problem';
import { answerMethodNotAllowed } from './router';
import { toRpcHttpTrigger, writeRpcHttpResponse } from './rpcHttp';

export interface RequestHandlerDeps {
  registry: AppRegistry;
  routes: HttpRouteTable;
  invoke: Invoker;
  /** The started services, in start order (read per request: they start after the server listens). */
  services: () => readonly HostService[];
  keys: HostKeys;
  log: Logger;
  /** Settles when the host is ready to answer (app loaded, services started). */
  ready: Promise<void>;
  /** Used when a request has no usable Host header. */
  fallbackOrigin: () => string;
  /** Settles once everything written so far is on disk; every answer waits for it (durableAnswers.ts). */
  durable: (since?: number) => Promise<void>;
  /** A mark of this moment for `durable(since)`: a request refused if writes were lost after it arrived. */
  commitMark?: () => number;
  /** The host-wide request body limit in bytes (`FUNCTIONS_REQUEST_BODY_SIZE_LIMIT`, see `bodyLimit.ts`). */
  bodyLimit: number;
  /** Plays App Service Authentication in front of the app's routes (see easyauth/easyAuth.ts). */
  easyAuth?: EasyAuth;
}

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** Whether `req` is refused for its declared size alone (the host's limit applies and Content-Length is over it). */
export function refusedUpFront(req: IncomingMessage, bodyLimit: number): boolean {
  return hostLimitApplies(pathOf(req.url)) && declaredLength(req) > bodyLimit;
}

export function createRequestHandler(deps: RequestHandlerDeps): RequestListener {
  return (req, res) => {
    // The app's durable client talks to the host on its own channel: its answers stay in the process.
    if (!isDurableRpc(req.url)) holdUntilDurable(res, deps.durable, deps.commitMark);
    if (hostLimitApplies(pathOf(req.url))) capRequestBody(req, deps.bodyLimit);
    // Refused before a byte of the body is read, as Kestrel refuses a Content-Length over its limit.
    if (refusedUpFront(req, deps.bodyLimit)) {
      stopReading(req);
      sendTooLarge(res, deps.bodyLimit);
      return;
    }
    handle(deps, req, res).catch((err: unknown) => {
      if (err instanceof RequestAbortedError) {
        // Not a failure of the host's or the app's: nobody is left to answer.
        deps.log.info(`Request aborted: ${err.message}; nothing was invoked.`);
        return;
      }
      deps.log.error(`${req.method} ${req.url} failed in the host: ${describeError(err)}`);
      sendProblem(res, {
        status: 500,
        title: 'Internal Server Error',
        detail: 'The host failed to process the request.',
      });
    });
  };
}

async function handle(deps: RequestHandlerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  req.on('error', () => undefined);
  try {
    await deps.ready;
  } catch {
    sendProblem(res, { status: 503, title: 'Service Unavailable', detail: 'The host is not running.' });
    return;
  }
  const url = requestUrl(req, deps.fallbackOrigin());
  if (!url) {
    sendProblem(res, {
      status: 400,
      title: 'Bad Request',
      detail: `The request target ${JSON.stringify(req.url)} is not a valid URL.`,
    });
    return;
  }

  // Only the platform sets the principal headers; a client's copies never reach anyone.
  stripPrincipal(req);
  if (deps.easyAuth && (await deps.easyAuth.handle(req, res, url))) return;

  // The host's own routes (`/runtime/...`) are guarded here, once, before any service sees them.
  const access = systemRouteAccess(url.pathname);
  if (access) {
    const verdict = authorizeSystemRoute(access, deps.keys, req, url);
    if (!verdict.ok) {
      sendProblem(res, {
        status: verdict.status,
        title: verdict.status === 401 ? 'Unauthorized' : 'Forbidden',
        detail: verdict.detail,
        instance: url.pathname,
      });
      return;
    }
  }

  for (const service of deps.services()) {
    if (service.handle && (await service.handle(req, res, url))) return;
  }

  const found = deps.routes.find(req.method ?? 'GET', url.pathname);
  if (found.kind === 'notFound') {
    sendProblem(res, {
      status: 404,
      title: 'Not Found',
      detail: `No function serves ${url.pathname}.`,
      instance: url.pathname,
    });
    return;
  }
  if (found.kind === 'methodNotAllowed') {
    answerMethodNotAllowed({ req, res, url }, found.allow);
    return;
  }
  const { route, params } = found;
  const authentication = deps.easyAuth?.authenticate(req);
  if (authentication && !authentication.ok) {
    sendProblem(
      res,
      {
        status: 401,
        title: 'Unauthorized',
        detail: authentication.detail,
        code: 'invalid_token',
        instance: url.pathname,
      },
      { 'www-authenticate': 'Bearer' },
    );
    return;
  }
  if (!isAuthorized(route.authLevel, deps.keys, req, url)) {
    sendProblem(res, {
      status: 401,
      title: 'Unauthorized',
      detail:
        route.authLevel === 'admin'
          ? 'This function needs the master key.'
          : 'This function needs a function key (x-functions-key header or code query parameter).',
      instance: url.pathname,
    });
    return;
  }

  const read = await readBody(req, deps.bodyLimit);
  if (read.tooLarge) {
    sendTooLarge(res, read.limit);
    return;
  }
  await invokeRoute(deps, route, params, req, res, url, read.body);
}

async function invokeRoute(
  deps: RequestHandlerDeps,
  route: HttpRoute,
  params: Record<string, string>,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: Buffer,
): Promise<void> {
  const invocationId = randomUUID();
  let output: RpcTypedData | null | undefined;
  try {
    const result = await deps.invoke({
      functionName: route.functionName,
      invocationId,
      triggerData: toRpcHttpTrigger(req, url, params, body),
      ...traceContextOf(req),
    });
    output = httpOutput(deps.registry, route.functionName, result.returnValue, result.outputData);
  } catch {
    // The invoker has logged the failure; Azure answers a bare 500, we add what helps to find the log line.
    sendProblem(res, {
      status: 500,
      title: 'Internal Server Error',
      detail: `Function '${route.functionName}' failed (invocation ${invocationId}); see the host log.`,
      invocationId,
    });
    return;
  }
  try {
    writeRpcHttpResponse(res, output);
  } catch (err) {
    deps.log.error(
      `Function '${route.functionName}' answered an unusable HTTP response: ${describeError(err)}`,
    );
    sendProblem(res, {
      status: 500,
      title: 'Internal Server Error',
      detail: `Function '${route.functionName}' returned an invalid HTTP response.`,
    });
  }
}

/** 413 problem+json naming the limit; the connection closes once it is written (nothing more is read). */
function sendTooLarge(res: ServerResponse, limit: number): void {
  sendProblem(
    res,
    {
      status: 413,
      title: 'Content Too Large',
      detail: `The request body is larger than the ${describeBytes(limit)} this host accepts (${REQUEST_BODY_SIZE_LIMIT_SETTING}).`,
      limit,
    },
    { connection: 'close' },
  );
}

/** The path of a request target, without its query (an absolute-form target gives its path). */
function pathOf(target: string | undefined): string {
  const text = target ?? '/';
  if (!text.startsWith('/')) {
    try {
      return new URL(text).pathname;
    } catch {
      return text;
    }
  }
  const query = text.indexOf('?');
  return query === -1 ? text : text.slice(0, query);
}

/** The function's HTTP response: `$return` when that is the http binding, else the http output by name. */
function httpOutput(
  registry: AppRegistry,
  functionName: string,
  returnValue: RpcTypedData | null | undefined,
  outputData: Array<{ name: string; data: RpcTypedData | null | undefined }>,
): RpcTypedData | null | undefined {
  const fn = registry.functions.get(functionName);
  const entry = Object.entries(fn?.bindings ?? {}).find(
    ([, b]) => b.direction === 'out' && b.type.toLowerCase() === 'http',
  );
  if (!entry || entry[0] === '$return') return returnValue;
  return outputData.find((o) => o.name === entry[0])?.data;
}

/** The request's URL; undefined when the request target cannot be one. */
function requestUrl(req: IncomingMessage, fallbackOrigin: string): URL | undefined {
  const target = req.url ?? '/';
  let origin = fallbackOrigin;
  try {
    if (req.headers.host) origin = new URL(`http://${req.headers.host}`).origin;
  } catch {
    // An unusable Host header: the host's own origin stands in.
  }
  try {
    // Appended, not resolved: resolving would read a target like `//x` as a host name.
    return target.startsWith('/') ? new URL(origin + target) : new URL(target);
  } catch {
    return undefined;
  }
}

/** The request's W3C trace context, passed to the invocation as the Functions host does. */
function traceContextOf(req: IncomingMessage): Pick<InvokeRequest, 'traceContext'> {
  const traceParent = req.headers.traceparent;
  if (typeof traceParent !== 'string' || traceParent === '') return {};
  const traceState = req.headers.tracestate;
  return {
    traceContext: {
      traceParent,
      ...(typeof traceState === 'string' && traceState !== '' ? { traceState } : {}),
    },
  };
}

/** The durable client's channel to the host (`rpcBaseUrl`), used from inside the process only. */
function isDurableRpc(url: string | undefined): boolean {
  return (url ?? '').startsWith('/runtime/durabletask-rpc/');
}
