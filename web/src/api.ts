/**
 * The dashboard's typed client for the app's HTTP API (/api) and the Durable HTTP API
 * (/runtime/webhooks/durabletask). Fetch wrappers only: no DOM. Every non-2xx answer becomes an
 * ApiError carrying the parsed problem, so views can say why in words.
 */
import {
  parseAccount,
  parseApprovals,
  parseCommandAccepted,
  parseCommandOutcome,
  parseEventStream,
  parseInstance,
  parseInstanceList,
  parseReasons,
  parseStatement,
  parseTransfer,
  type AccountView,
  type ApprovalsPage,
  type CancelTransferRequest,
  type CommandAccepted,
  type CommandOutcome,
  type DecisionRequest,
  type EventStream,
  type InstanceStatus,
  type ReasonTexts,
  type StatementEntry,
  type TransferView,
} from './contracts.js';
import { parseProblem, type ProblemDetails } from './problem.js';
import { parseMe, type Session } from './session.js';

export class ApiError extends Error {
  constructor(
    readonly problem: ProblemDetails,
    readonly url: string,
  ) {
    super(`${problem.title} (${problem.status})${problem.detail ? `: ${problem.detail}` : ''}`);
    this.name = 'ApiError';
  }
}

export interface ApiClientOptions {
  fetch?: typeof fetch;
  /** Default "/api". */
  apiBase?: string;
  /** Default "/runtime/webhooks/durabletask". */
  durableBase?: string;
  /** App Service Authentication's routes; default "/.auth". */
  authBase?: string;
  /** Query parameters every Durable API call needs (in Azure: `code` with the system key). */
  durableQuery?: Record<string, string>;
}

export type { CancelTransferRequest, DecisionRequest };
export type Decision = DecisionRequest['decision'];

export interface InstanceFilter {
  runtimeStatus?: readonly string[];
  createdTimeFrom?: string;
  createdTimeTo?: string;
  instanceIdPrefix?: string;
  top?: number;
}

export interface InstancePage {
  instances: InstanceStatus[];
  /** Pass back to get the next page; undefined on the last page. */
  continuationToken?: string;
}

export interface RaiseEventResult {
  status: number;
}

export interface PurgeResult {
  instancesDeleted: number;
}

const CONTINUATION_HEADER = 'x-ms-continuation-token';

/** The Durable API's query string for a list filter (empty members left out). */
export function instanceListQuery(filter: InstanceFilter): string {
  const query = new URLSearchParams();
  if (filter.runtimeStatus && filter.runtimeStatus.length > 0)
    query.set('runtimeStatus', filter.runtimeStatus.join(','));
  if (filter.createdTimeFrom) query.set('createdTimeFrom', filter.createdTimeFrom);
  if (filter.createdTimeTo) query.set('createdTimeTo', filter.createdTimeTo);
  if (filter.instanceIdPrefix) query.set('instanceIdPrefix', filter.instanceIdPrefix);
  if (filter.top !== undefined) query.set('top', String(filter.top));
  return query.toString();
}

/** A continuation token meaning "no more pages": absent, empty, or Azure's base64 of "null". */
export function isLastPageToken(token: string | null | undefined): boolean {
  return !token || token === 'null' || token === 'bnVsbA==';
}

/** The path of a transfer's or an account's event stream, from `fromVersion` on when given. */
export function streamPath(
  apiBase: string,
  owner: 'transfers' | 'accounts',
  id: string,
  fromVersion?: number,
): string {
  const path = `${apiBase}/${owner}/${encodeURIComponent(id)}/events`;
  return fromVersion === undefined ? path : `${path}?fromVersion=${fromVersion}`;
}

export interface PollOptions {
  intervalMs: number;
  timeoutMs: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/**
 * Calls `read` until `done` says the value is final or the time is up; returns the last value read
 * and whether it was final. Errors from `read` propagate.
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  options: PollOptions,
): Promise<{ value: T; final: boolean }> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const until = now() + options.timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return { value, final: true };
    if (now() + options.intervalMs > until) return { value, final: false };
    await sleep(options.intervalMs);
  }
}

export interface CardflowApi {
  /** The signed-in person (`/.auth/me`), or undefined when nobody is (401). */
  me(): Promise<Session | undefined>;
  pendingApprovals(): Promise<ApprovalsPage>;
  decideTransfer(transferId: string, decision: DecisionRequest): Promise<CommandAccepted>;
  /** The domain's cancel of a transfer awaiting approval (operators; the canceller is the caller). */
  cancelTransfer(transferId: string, request: CancelTransferRequest): Promise<CommandAccepted>;
  command(commandId: string): Promise<CommandOutcome>;
  transfer(transferId: string): Promise<TransferView>;
  account(accountId: string): Promise<AccountView>;
  /** Every reason and problem code in words. */
  reasons(): Promise<ReasonTexts>;
  statement(accountId: string): Promise<StatementEntry[]>;
  /** The transfer's events from the event store (all, or from `fromVersion` on). */
  transferEvents(transferId: string, fromVersion?: number): Promise<EventStream>;
  /** The account's events from the event store (all, or from `fromVersion` on). */
  accountEvents(accountId: string, fromVersion?: number): Promise<EventStream>;
  listInstances(filter: InstanceFilter, continuationToken?: string): Promise<InstancePage>;
  instance(instanceId: string, options?: { showHistory?: boolean }): Promise<InstanceStatus>;
  raiseEvent(instanceId: string, eventName: string, body: unknown): Promise<RaiseEventResult>;
  terminate(instanceId: string, reason: string): Promise<void>;
  suspend(instanceId: string, reason: string): Promise<void>;
  resume(instanceId: string, reason: string): Promise<void>;
  rewind(instanceId: string, reason: string): Promise<void>;
  purge(instanceId: string): Promise<PurgeResult>;
}

export function createApi(options: ApiClientOptions = {}): CardflowApi {
  const doFetch =
    options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  const apiBase = options.apiBase ?? '/api';
  const durableBase = options.durableBase ?? '/runtime/webhooks/durabletask';
  const durableQuery = options.durableQuery ?? {};
  const authBase = options.authBase ?? '/.auth';
  const seg = encodeURIComponent;

  const durableUrl = (path: string, query: Record<string, string> = {}): string => {
    const params = new URLSearchParams({ ...query, ...durableQuery }).toString();
    return `${durableBase}/${path}${params ? `?${params}` : ''}`;
  };

  async function send(url: string, init: RequestInit = {}): Promise<{ response: Response; body: unknown }> {
    let response: Response;
    try {
      response = await doFetch(url, {
        ...init,
        headers: { accept: 'application/json', ...(init.headers ?? {}) },
      });
    } catch (error) {
      throw new ApiError(
        { status: 0, title: 'Network error', detail: error instanceof Error ? error.message : String(error) },
        url,
      );
    }
    const text = await response.text();
    if (!response.ok)
      throw new ApiError(
        parseProblem(response.status, response.statusText, response.headers.get('content-type'), text),
        url,
      );
    let body: unknown = null;
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    return { response, body };
  }

  const json = (value: unknown): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(value),
  });

  return {
    async me() {
      try {
        return parseMe((await send(`${authBase}/me`)).body);
      } catch (error) {
        // 401 is App Service's "nobody is signed in", not a failure.
        if (error instanceof ApiError && error.problem.status === 401) return undefined;
        throw error;
      }
    },
    async pendingApprovals() {
      return parseApprovals((await send(`${apiBase}/approvals?status=pending`)).body);
    },
    async decideTransfer(transferId, decision) {
      return parseCommandAccepted(
        (await send(`${apiBase}/transfers/${seg(transferId)}/decision`, json(decision))).body,
      );
    },
    async cancelTransfer(transferId, request) {
      return parseCommandAccepted(
        (await send(`${apiBase}/transfers/${seg(transferId)}/cancel`, json(request))).body,
      );
    },
    async command(commandId) {
      return parseCommandOutcome((await send(`${apiBase}/commands/${seg(commandId)}`)).body);
    },
    async transfer(transferId) {
      return parseTransfer((await send(`${apiBase}/transfers/${seg(transferId)}`)).body);
    },
    async account(accountId) {
      return parseAccount((await send(`${apiBase}/accounts/${seg(accountId)}`)).body);
    },
    async reasons() {
      return parseReasons((await send(`${apiBase}/reasons`)).body);
    },
    async statement(accountId) {
      return parseStatement((await send(`${apiBase}/accounts/${seg(accountId)}/statement`)).body);
    },
    async transferEvents(transferId, fromVersion) {
      return parseEventStream((await send(streamPath(apiBase, 'transfers', transferId, fromVersion))).body);
    },
    async accountEvents(accountId, fromVersion) {
      return parseEventStream((await send(streamPath(apiBase, 'accounts', accountId, fromVersion))).body);
    },
    async listInstances(filter, continuationToken) {
      const query = Object.fromEntries(new URLSearchParams(instanceListQuery(filter)));
      const headers: Record<string, string> = continuationToken
        ? { [CONTINUATION_HEADER]: continuationToken }
        : {};
      const { response, body } = await send(durableUrl('instances', query), { headers });
      const next = response.headers.get(CONTINUATION_HEADER);
      return {
        instances: parseInstanceList(body),
        ...(isLastPageToken(next) ? {} : { continuationToken: next as string }),
      };
    },
    async instance(instanceId, { showHistory = true } = {}) {
      const query: Record<string, string> = showHistory
        ? { showHistory: 'true', showHistoryOutput: 'true', showInput: 'true' }
        : { showInput: 'true' };
      return parseInstance((await send(durableUrl(`instances/${seg(instanceId)}`, query))).body);
    },
    async raiseEvent(instanceId, eventName, body) {
      const { response } = await send(
        durableUrl(`instances/${seg(instanceId)}/raiseEvent/${seg(eventName)}`),
        json(body),
      );
      return { status: response.status };
    },
    async terminate(instanceId, reason) {
      await send(durableUrl(`instances/${seg(instanceId)}/terminate`, { reason }), { method: 'POST' });
    },
    async suspend(instanceId, reason) {
      await send(durableUrl(`instances/${seg(instanceId)}/suspend`, { reason }), { method: 'POST' });
    },
    async resume(instanceId, reason) {
      await send(durableUrl(`instances/${seg(instanceId)}/resume`, { reason }), { method: 'POST' });
    },
    async rewind(instanceId, reason) {
      await send(durableUrl(`instances/${seg(instanceId)}/rewind`, { reason }), { method: 'POST' });
    },
    async purge(instanceId) {
      const { body } = await send(durableUrl(`instances/${seg(instanceId)}`), { method: 'DELETE' });
      const deleted =
        typeof body === 'object' && body !== null
          ? (body as Record<string, unknown>).instancesDeleted
          : undefined;
      return { instancesDeleted: typeof deleted === 'number' ? deleted : 0 };
    },
  };
}
