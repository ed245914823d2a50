/**
 * The API's answers when the store is down or a handler has a bug: problem+json, 503 for the store
 * (the client may retry), never the host's opaque 500. The routes run for real against the Cosmos
 * driver pointed at a loopback port nothing listens on.
 */
import type { CosmosClient } from '@azure/cosmos';
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { createCosmosStores } from '../../stores/cosmos/cosmosStores';
import { unreachableCosmosClient } from '../../stores/test/unreachableCosmos';
import { guarded } from './guard';
import { PROBLEM_CONTENT_TYPE } from './problem';
import type { RouteDeps } from './route';
import { ROUTES } from './routes';

let client: CosmosClient;
let stores: ReturnType<typeof createCosmosStores>;
const logged: string[] = [];

beforeAll(async () => {
  client = await unreachableCosmosClient();
  stores = createCosmosStores({ client, databaseName: 'down', sleep: async () => undefined });
});
afterAll(() => client.dispose());

function context(): InvocationContext {
  return new InvocationContext({
    logHandler: (level, ...args) => logged.push(`${level}: ${args.join(' ')}`),
  });
}

function post(url: string, body: unknown, params: Record<string, string> = {}): HttpRequest {
  return new HttpRequest({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json' },
    body: { string: JSON.stringify(body) },
    params,
  });
}

function expectProblem(response: HttpResponseInit, status: number, code: string): void {
  expect(response.status).toBe(status);
  expect(new Headers(response.headers as Record<string, string>).get('content-type')).toBe(
    PROBLEM_CONTENT_TYPE,
  );
  expect(JSON.parse(response.body as string)).toMatchObject({ status, code });
}

const deps = (): RouteDeps => ({
  stores,
  processes: () => {
    throw new Error('no durable client in this test');
  },
  now: () => '2026-01-01T00:00:00.000Z',
  caller: {
    id: 'carol',
    name: 'Carol',
    roles: ['customer', 'approver', 'operator'],
    identityProvider: 'aad',
  },
});

describe('with the store unreachable', () => {
  it('answers a command with 503 store_unavailable', async () => {
    const handler = guarded((request) => ROUTES.openAccount.handle(deps(), request));
    const response = await handler(
      post('http://localhost/api/accounts', {
        accountId: 'acc-1',
        ownerId: 'carol',
        ownerName: 'O',
        kind: 'user',
      }),
      context(),
    );
    expectProblem(response, 503, 'store_unavailable');
  });

  it('answers a decision and a query with 503 store_unavailable', async () => {
    const decide = guarded((request) => ROUTES.decideTransfer.handle(deps(), request));
    expectProblem(
      await decide(
        post(
          'http://localhost/api/transfers/tr-1/decision',
          { decision: 'approve', approver: 'carol' },
          {
            transferId: 'tr-1',
          },
        ),
        context(),
      ),
      503,
      'store_unavailable',
    );
    const get = guarded((request) => ROUTES.getAccount.handle(deps(), request));
    expectProblem(
      await get(
        new HttpRequest({
          method: 'GET',
          url: 'http://localhost/api/accounts/acc-1',
          params: { accountId: 'acc-1' },
        }),
        context(),
      ),
      503,
      'store_unavailable',
    );
  });
});

it('answers a handler bug with a problem+json 500 that hides the details, and logs them', async () => {
  const handler = guarded(async () => {
    throw new TypeError('secret internals');
  });
  const response = await handler(post('http://localhost/api/accounts', {}), context());
  expectProblem(response, 500, 'internal_error');
  expect(response.body).not.toMatch(/secret/);
  expect(logged.some((line) => /secret internals/.test(line))).toBe(true);
});
