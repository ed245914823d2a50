/**
 * A command route is one entry: from the domain's command schema and the route's path, the path
 * parameters, the body, the 202 answer and the handler follow.
 */
import { HttpRequest } from '@azure/functions';
import { z } from 'zod';
import { commandId } from '../../domain/commandId';
import type { Stores } from '../../stores';
import { commandRoute } from './commandRoutes';
import type { RouteDeps } from './route';

const FreezeCard = z.strictObject({
  type: z.literal('FreezeCard'),
  data: z.strictObject({ accountId: z.string(), cardId: z.string(), note: z.string().optional() }),
});

function fakeDeps() {
  const submitted: unknown[] = [];
  const stores = {
    commands: {
      submit: async (command: unknown) => (submitted.push(command), 'created'),
      get: async () => undefined,
    },
  } as unknown as Stores;
  const deps: RouteDeps = {
    stores,
    processes: () => {
      throw new Error('no durable client in this test');
    },
    now: () => '',
  };
  return { deps, submitted };
}

const post = (url: string, body: unknown, params: Record<string, string>, key?: string) =>
  new HttpRequest({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    body: { string: JSON.stringify(body) },
    params,
  });

describe('a command route', () => {
  const route = commandRoute({
    command: FreezeCard,
    route: 'accounts/{accountId}/freezes',
    summary: 'Freeze a card',
    newId: { field: 'cardId', prefix: 'card' },
    access: { roles: 'anyone' },
  });

  it('takes the path parameters from the route and the rest of the data from the body, its id optional', () => {
    expect(route.params?.safeParse({ accountId: 'acc-1' }).success).toBe(true);
    expect(route.body?.schema.safeParse({}).success).toBe(true);
    expect(route.body?.schema.safeParse({ accountId: 'acc-1' }).success).toBe(false);
    expect(route.idempotencyKey).toBe(true);
    expect(
      route.response.parse({ commandId: 'c', accountId: 'a', cardId: 'k', statusUrl: 'http://x/s' }),
    ).toEqual({ commandId: 'c', accountId: 'a', cardId: 'k', statusUrl: 'http://x/s' });
  });

  it('submits the domain command, its id derived from the Idempotency-Key, and answers 202 with the ids', async () => {
    const { deps, submitted } = fakeDeps();
    const request = () =>
      post('http://h/api/accounts/acc-1/freezes', { note: 'lost' }, { accountId: 'acc-1' }, 'k-1');
    const first = await route.handle(deps, request());
    const again = await route.handle(deps, request());
    expect(first.status).toBe(202);
    expect(again.body).toBe(first.body);
    const body = JSON.parse(first.body as string);
    const data = { accountId: 'acc-1', cardId: body.cardId, note: 'lost' };
    expect(body).toEqual({
      commandId: commandId('FreezeCard', data),
      accountId: 'acc-1',
      cardId: expect.stringMatching(/^card-[0-9a-f]{32}$/),
      statusUrl: `http://h/api/commands/${commandId('FreezeCard', data)}`,
    });
    expect(submitted[0]).toMatchObject({ type: 'FreezeCard', data });
  });

  it('refuses a body field the command does not have with 400', async () => {
    const { deps, submitted } = fakeDeps();
    const answer = await route.handle(
      deps,
      post('http://h/api/accounts/acc-1/freezes', { colour: 'red' }, { accountId: 'acc-1' }),
    );
    expect(answer.status).toBe(400);
    expect(submitted).toEqual([]);
  });
});
