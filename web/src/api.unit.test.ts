import { createApi, instanceListQuery, isLastPageToken, pollUntil, streamPath } from './api';

describe('streamPath', () => {
  it("names a transfer's or an account's event stream, from a version when given", () => {
    expect(streamPath('/api', 'transfers', 't-1')).toBe('/api/transfers/t-1/events');
    expect(streamPath('/api', 'accounts', 'acc-a', 4)).toBe('/api/accounts/acc-a/events?fromVersion=4');
    expect(streamPath('/api', 'transfers', 'a/b?c')).toBe('/api/transfers/a%2Fb%3Fc/events');
  });
});

describe('instanceListQuery', () => {
  it('writes the Durable API filter parameters and leaves out empty ones', () => {
    expect(
      instanceListQuery({
        runtimeStatus: ['Running', 'Pending'],
        createdTimeFrom: '2026-01-01T00:00:00.000Z',
        top: 25,
      }),
    ).toBe('runtimeStatus=Running%2CPending&createdTimeFrom=2026-01-01T00%3A00%3A00.000Z&top=25');
    expect(instanceListQuery({ runtimeStatus: [], instanceIdPrefix: 't-' })).toBe('instanceIdPrefix=t-');
    expect(instanceListQuery({})).toBe('');
  });
});

describe('isLastPageToken', () => {
  it('treats a missing token and Azure\'s base64 "null" as the last page', () => {
    for (const token of [undefined, null, '', 'null', 'bnVsbA==']) expect(isLastPageToken(token)).toBe(true);
    expect(isLastPageToken('eyJvZmZzZXQiOjI1fQ==')).toBe(false);
  });
});

describe('pollUntil', () => {
  // A clock that moves only when the poller sleeps, so the test is exact and instant.
  const virtualTime = () => {
    let now = 0;
    return { now: () => now, sleep: async (ms: number) => void (now += ms) };
  };

  it('returns the first final value', async () => {
    const values = ['pending', 'pending', 'succeeded'];
    const time = virtualTime();
    const result = await pollUntil(
      async () => values.shift() as string,
      (v) => v !== 'pending',
      { intervalMs: 100, timeoutMs: 1000, ...time },
    );
    expect(result).toEqual({ value: 'succeeded', final: true });
    expect(time.now()).toBe(200);
  });

  it('gives up after the timeout with the last value read', async () => {
    const time = virtualTime();
    let reads = 0;
    const result = await pollUntil(
      async () => ++reads,
      () => false,
      { intervalMs: 100, timeoutMs: 350, ...time },
    );
    expect(result).toEqual({ value: 4, final: false });
  });

  it('lets read errors through', async () => {
    await expect(
      pollUntil(
        async () => Promise.reject(new Error('down')),
        () => true,
        { intervalMs: 1, timeoutMs: 1 },
      ),
    ).rejects.toThrow('down');
  });
});

describe('the operations the monitor sends', () => {
  function recording(status = 202, body = '') {
    const calls: Array<{ url: string; method: string; body?: string }> = [];
    const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      calls.push({
        url: String(input),
        method: init?.method ?? 'GET',
        body: init?.body as string | undefined,
      });
      return new Response(body, { status, headers: { 'content-type': 'application/json' } });
    }) as typeof globalThis.fetch;
    return { calls, api: createApi({ fetch, durableQuery: { code: 'k' } }) };
  }

  it('cancels a transfer through the app, with the note only', async () => {
    const { calls, api } = recording(
      202,
      JSON.stringify({ commandId: 'c-1', statusUrl: '/api/commands/c-1' }),
    );
    expect(await api.cancelTransfer('t-1', { note: 'wrong payee' })).toEqual({
      commandId: 'c-1',
      statusUrl: '/api/commands/c-1',
    });
    expect(calls).toEqual([
      { url: '/api/transfers/t-1/cancel', method: 'POST', body: '{"note":"wrong payee"}' },
    ]);
  });

  it('suspends and resumes through the Durable HTTP API, with the reason and the key', async () => {
    const { calls, api } = recording();
    await api.suspend('t-1', 'looking');
    await api.resume('t-1', 'done');
    expect(calls.map(({ url, method }) => [method, url])).toEqual([
      ['POST', '/runtime/webhooks/durabletask/instances/t-1/suspend?reason=looking&code=k'],
      ['POST', '/runtime/webhooks/durabletask/instances/t-1/resume?reason=done&code=k'],
    ]);
  });
});
