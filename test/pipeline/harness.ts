/**
 * The whole app on the local test host (in-memory database, virtual clock), loaded from
 * package.json main (dist/functions/index.js: run `npm run build` first), with helpers to call the
 * API and wait until the pipeline has settled.
 */
import path from 'node:path';
import { createTestHost, type TestHost, type TestHostOptions } from '@cardflow/local-host';
import { createLocalStores } from '../../stores/local/localStores';
import { LocalDocumentStore } from '@cardflow/local-host';
import type { CommandAccepted, CommandStatusResponse } from '../../functions/http/schemas';
import type { Stores } from '../../stores';
import { accountStreamId } from '../../domain/ids';
import { Callers, TEST_APPROVER, TEST_OPERATOR } from '../support/callers';

export const REPO_ROOT = path.resolve(__dirname, '../..');

/* eslint-disable @typescript-eslint/no-explicit-any -- test answers are checked field by field */
export interface App {
  host: TestHost;
  /** Authenticated callers: `app.callers.as('alice', 'customer')` gives her headers. */
  callers: Callers;
  /** The stores on the host's database, for looking behind the API. */
  stores: Stores;
  post(
    route: string,
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; headers: Headers }>;
  /** GETs as the test operator (who reads everything) unless `headers` authenticate someone else. */
  get(
    route: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; headers: Headers }>;
  /** Waits until no invocation runs and no service has work due (commands handled, views updated, events delivered). */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

async function answer(response: Response): Promise<{ status: number; body: any; headers: Headers }> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body, headers: response.headers };
}

export async function startApp(options: Partial<TestHostOptions> = {}): Promise<App> {
  const host = await createTestHost({
    appRoot: REPO_ROOT,
    ...options,
    // The backlog behind back-pressure refreshes on the app's clock, at most once a second of it;
    // the virtual clock moves only when a test moves it, so a test that sends some hundreds of
    // commands without moving it would meet the bound (500) long after the pipeline settled. The
    // bound is out of reach here; back-pressure's own tests set theirs.
    settings: { CARDFLOW_STORE: 'local', BACKLOG_MAX_COMMANDS: '1000000', ...(options.settings ?? {}) },
  });
  const stores = createLocalStores(new LocalDocumentStore(host.db, { clock: host.clock }), {
    databaseName: 'cardflow',
    clock: host.clock,
  });
  const callers = new Callers(host);
  return {
    host,
    stores,
    callers,
    async post(route, body, headers = {}) {
      const caller = hasAuthorization(headers) ? {} : await callerFor(callers, stores, route, body);
      return answer(
        await host.fetch(route, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...caller, ...headers },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        }),
      );
    },
    async get(route, headers = {}) {
      const caller = hasAuthorization(headers) ? {} : callers.as(TEST_OPERATOR, 'operator');
      return answer(await host.fetch(route, { headers: { ...caller, ...headers } }));
    },
    async settle() {
      await host.waitForIdle({ timeoutMs: 20_000 });
    },
    stop: () => host.stop(),
  };
}

/** An explicit `authorization` header (or `anonymous: true` meaning none at all) wins over the guess. */
function hasAuthorization(headers: Record<string, string>): boolean {
  return Object.keys(headers).some((name) => name.toLowerCase() === 'authorization');
}

const ID = /^[a-z0-9][a-z0-9-]{2,63}$/;

/**
 * Who a test's POST is sent as, when the test does not say: the person the request is about, as a
 * real client would be — the owner opening an account, the requester of a transfer (or the source
 * account's owner), the approver named in a decision — and the operator for loads and closes.
 */
async function callerFor(
  callers: Callers,
  stores: Stores,
  route: string,
  body: unknown,
): Promise<Record<string, string>> {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const named = (field: string): string | undefined => {
    const value = fields[field];
    return typeof value === 'string' && ID.test(value) ? value : undefined;
  };
  const path = route.split('?')[0];
  if (path === '/api/accounts') {
    const owner = named('ownerId');
    return owner ? callers.as(owner, 'customer') : callers.as(TEST_OPERATOR, 'operator');
  }
  if (path === '/api/transfers') {
    const requester = named('requestedBy') ?? (await ownerOf(stores, named('fromAccountId')));
    return requester ? callers.as(requester, 'customer') : callers.as(TEST_OPERATOR, 'operator');
  }
  if (/^\/api\/transfers\/[^/]+\/decision$/.test(path))
    return callers.as(named('approver') ?? TEST_APPROVER, 'approver');
  return callers.as(TEST_OPERATOR, 'operator');
}

async function ownerOf(stores: Stores, accountId: string | undefined): Promise<string | undefined> {
  if (!accountId) return undefined;
  const [opened] = await stores.events.readStream(accountStreamId(accountId), 1);
  const owner = (opened?.data as { ownerId?: unknown } | undefined)?.ownerId;
  return typeof owner === 'string' ? owner : undefined;
}

/** The path (and query) of an absolute URL the API returned, for `fetch` relative to the host. */
export function pathOf(url: string): string {
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
}

/** Waits for the pipeline to settle, then returns the command's outcome as GET /api/commands/{id} shows it. */
export async function outcomeOf(
  app: App,
  accepted: { body: Pick<CommandAccepted, 'statusUrl'> },
): Promise<CommandStatusResponse> {
  await app.settle();
  const answer = await app.get(pathOf(accepted.body.statusUrl));
  return answer.body;
}

export const PROBLEM_JSON = /^application\/problem\+json/;
