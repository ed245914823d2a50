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

export const REPO_ROOT = path.resolve(__dirname, '../..');

/* eslint-disable @typescript-eslint/no-explicit-any -- test answers are checked field by field */
export interface App {
  host: TestHost;
  /** The stores on the host's database, for looking behind the API. */
  stores: Stores;
  post(
    route: string,
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; headers: Headers }>;
  get(route: string): Promise<{ status: number; body: any; headers: Headers }>;
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
    settings: { CARDFLOW_STORE: 'local', ...(options.settings ?? {}) },
  });
  const stores = createLocalStores(new LocalDocumentStore(host.db, { clock: host.clock }), {
    databaseName: 'cardflow',
    clock: host.clock,
  });
  return {
    host,
    stores,
    async post(route, body, headers = {}) {
      return answer(
        await host.fetch(route, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        }),
      );
    },
    async get(route) {
      return answer(await host.fetch(route));
    },
    async settle() {
      await host.waitForIdle({ timeoutMs: 20_000 });
    },
    stop: () => host.stop(),
  };
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
