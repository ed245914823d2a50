import { ApiError } from './api';
import { createTraceClient, parseTraceSpans, transferTraceFirst, type TraceSummary } from './trace';

const summary = (traceId: string, name: string, startMs: number): TraceSummary => ({
  traceId,
  name,
  startMs,
  durationMs: 5,
  spans: 1,
  errors: 0,
});

function fakeFetch(answers: Record<string, { status: number; body: string; type?: string }>) {
  const calls: string[] = [];
  const fetch = (async (input: RequestInfo | URL) => {
    const url = String(input);
    calls.push(url);
    const answer = answers[url] ?? { status: 404, body: '{"title":"Not Found","status":404}' };
    return new Response(answer.body, {
      status: answer.status,
      headers: { 'content-type': answer.type ?? 'application/json' },
    });
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

describe('transferTraceFirst', () => {
  it('puts the transfer’s own trace first, then the others oldest first', () => {
    const ordered = transferTraceFirst([
      summary('look-2', 'GET /api/transfers/{transferId}', 30),
      summary('decision', 'POST /api/transfers/{transferId}/decision', 20),
      summary('own', 'POST /api/transfers', 10),
      summary('look-1', 'GET /api/transfers/{transferId}', 5),
    ]);
    expect(ordered.map((t) => t.traceId)).toEqual(['own', 'look-1', 'decision', 'look-2']);
  });
});

describe('createTraceClient', () => {
  const list = '/runtime/traces?attribute=cardflow.transfer_id&value=tr-1&code=KEY';

  it('asks for the transfer’s traces with the key, and reads one trace', async () => {
    const { fetch, calls } = fakeFetch({
      [list]: {
        status: 200,
        body: JSON.stringify({
          traces: [
            summary('b', 'GET /api/transfers/{transferId}', 1),
            summary('a', 'POST /api/transfers', 2),
          ],
        }),
      },
      '/runtime/traces/a?code=KEY': {
        status: 200,
        body: JSON.stringify({
          traceId: 'a',
          spans: [
            {
              traceId: 'a',
              spanId: 's1',
              name: 'POST /api/transfers',
              kind: 'server',
              startMs: 1,
              durationMs: 2,
              status: 'error',
              statusMessage: 'boom',
              attributes: { 'cardflow.component': 'http api' },
              events: [],
              links: [],
            },
          ],
        }),
      },
    });
    const client = createTraceClient({ fetch, query: { code: 'KEY' } });
    const listing = await client.tracesOf('tr-1');
    expect(listing).toEqual({
      kept: true,
      traces: [summary('a', 'POST /api/transfers', 2), summary('b', 'GET /api/transfers/{transferId}', 1)],
    });
    expect(await client.trace('a')).toEqual([
      {
        spanId: 's1',
        name: 'POST /api/transfers',
        kind: 'server',
        startMs: 1,
        durationMs: 2,
        status: 'error',
        statusMessage: 'boom',
        attributes: { 'cardflow.component': 'http api' },
      },
    ]);
    expect(calls).toEqual([list, '/runtime/traces/a?code=KEY']);
  });

  it('says the host keeps none: no route (404, Azure), none found, or a page that is not JSON', async () => {
    const none = '/runtime/traces?attribute=cardflow.transfer_id&value=tr-1';
    expect(await createTraceClient({ fetch: fakeFetch({}).fetch }).tracesOf('tr-1')).toEqual({
      kept: false,
      status: 404,
    });
    const empty = fakeFetch({ [none]: { status: 200, body: '{"traces":[]}' } });
    expect(await createTraceClient({ fetch: empty.fetch }).tracesOf('tr-1')).toEqual({
      kept: false,
      status: 200,
    });
    const html = fakeFetch({ [none]: { status: 200, body: '<html></html>', type: 'text/html' } });
    expect(await createTraceClient({ fetch: html.fetch }).tracesOf('tr-1')).toEqual({
      kept: false,
      status: 200,
    });
    expect(await createTraceClient({ fetch: fakeFetch({}).fetch }).trace('gone')).toBeUndefined();
  });

  it('turns a refusal into an ApiError with the problem', async () => {
    const { fetch } = fakeFetch({
      '/runtime/traces?attribute=cardflow.transfer_id&value=tr-1': {
        status: 401,
        body: JSON.stringify({ title: 'Unauthorized', status: 401, detail: 'The master key is required.' }),
        type: 'application/problem+json',
      },
    });
    const refused = createTraceClient({ fetch }).tracesOf('tr-1');
    await expect(refused).rejects.toBeInstanceOf(ApiError);
    await expect(refused).rejects.toMatchObject({
      problem: { status: 401, detail: 'The master key is required.' },
    });
  });
});

describe('parseTraceSpans', () => {
  it('names what is missing, and reads an unknown status as unset', () => {
    expect(() => parseTraceSpans({ spans: [{ name: 'x' }] })).toThrow('spans[0]: spanId is missing');
    expect(() => parseTraceSpans([])).toThrow('expected {spans');
    expect(parseTraceSpans({ spans: [{ spanId: 's', status: 'weird' }] })[0]).toMatchObject({
      status: 'unset',
      name: '(unnamed)',
      attributes: {},
    });
  });
});
