/**
 * A command route is one entry: from the domain's command schema and the route's path, the path
 * parameters, the body, the 202 answer and the handler follow.
 */
import { HttpRequest } from '@azure/functions';
import { z } from 'zod';
import { commandId } from '../../domain/commandId';
import { ViewVersionConflictError, type Stores } from '../../stores';
import { commandRoute } from './commandRoutes';
import type { RouteDeps } from './route';

const FreezeCard = z.strictObject({
  type: z.literal('FreezeCard'),
  data: z.strictObject({ accountId: z.string(), cardId: z.string(), note: z.string().optional() }),
});

/** In-memory commands and views, as far as a command route uses them. */
function fakeDeps() {
  const submitted: unknown[] = [];
  const records = new Map<string, { id: string; status: string }>();
  const keys = new Map<string, { fingerprint: string }>();
  const stores = {
    commands: {
      submit: async (command: { id: string }) => {
        submitted.push(command);
        if (records.has(command.id)) return 'duplicate';
        records.set(command.id, { ...command, status: 'pending' });
        return 'created';
      },
      get: async (id: string) => records.get(id),
      retry: async (id: string) => {
        const record = records.get(id);
        if (record?.status === 'rejected') record.status = 'pending';
        return record;
      },
    },
    views: {
      get: async (_pk: string, id: string) => keys.get(id),
      put: async (document: { id: string; fingerprint: string }) => {
        if (keys.has(document.id))
          throw new ViewVersionConflictError('idempotency-keys', document.id, 'exists');
        keys.set(document.id, document);
        return document;
      },
    },
  } as unknown as Stores;
  const deps: RouteDeps = {
    stores,
    processes: () => {
      throw new Error('no durable client in this test');
    },
    now: () => '2026-06-01T12:00:00.000Z',
  };
  return { deps, submitted, records };
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
    expect(route.idempotencyKey).toEqual({ field: 'cardId', required: false });
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

  it('binds an Idempotency-Key to its first body: another body is 422, nothing stored', async () => {
    const { deps, submitted } = fakeDeps();
    const send = (note: string) =>
      route.handle(
        deps,
        post('http://h/api/accounts/acc-1/freezes', { note }, { accountId: 'acc-1' }, 'k-2'),
      );
    expect((await send('lost')).status).toBe(202);
    const other = await send('stolen');
    expect(other.status).toBe(422);
    expect(JSON.parse(other.body as string)).toMatchObject({ code: 'idempotency_key_reused' });
    expect((await send('lost')).status).toBe(202);
    expect(submitted).toHaveLength(1);
  });

  it('evaluates a repeat of a rejected command again, and deduplicates any other', async () => {
    const { deps, submitted, records } = fakeDeps();
    const send = () =>
      route.handle(
        deps,
        post('http://h/api/accounts/acc-1/freezes', { cardId: 'c-1' }, { accountId: 'acc-1' }),
      );
    const first = await send();
    const [record] = records.values();
    record.status = 'rejected';
    expect((await send()).body).toBe(first.body);
    expect(record.status).toBe('pending');
    record.status = 'succeeded';
    expect((await send()).body).toBe(first.body);
    expect(record.status).toBe('succeeded');
    expect(submitted).toHaveLength(1);
  });
});

describe('a command route whose repeat would happen twice', () => {
  const route = commandRoute({
    command: FreezeCard,
    route: 'accounts/{accountId}/freezes',
    summary: 'Freeze a card',
    newId: { field: 'cardId', prefix: 'card', required: true },
    access: { roles: 'anyone' },
  });

  it('needs the id in the body or an Idempotency-Key (400 idempotency_required)', async () => {
    const { deps, submitted } = fakeDeps();
    const refused = await route.handle(
      deps,
      post('http://h/api/accounts/acc-1/freezes', {}, { accountId: 'acc-1' }),
    );
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body as string)).toMatchObject({ code: 'idempotency_required' });
    expect(submitted).toEqual([]);
    expect(
      (await route.handle(deps, post('http://h/api/accounts/acc-1/freezes', {}, { accountId: 'acc-1' }, 'k')))
        .status,
    ).toBe(202);
    expect(
      (
        await route.handle(
          deps,
          post('http://h/api/accounts/acc-1/freezes', { cardId: 'c' }, { accountId: 'acc-1' }),
        )
      ).status,
    ).toBe(202);
    expect(route.refusals).toMatchObject({
      400: expect.stringContaining('idempotency_required'),
      422: expect.any(String),
    });
  });
});
