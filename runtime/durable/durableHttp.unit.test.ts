import {
  durableHttpRequestOf,
  httpActivityInput,
  parseHttpTokens,
  pollOf,
  requestOfInput,
  sendDurableHttpRequest,
} from './durableHttp';

describe('durable HTTP requests', () => {
  test('a CallHttp request is checked: method, absolute http(s) URL; the pattern defaults to on', () => {
    expect(durableHttpRequestOf({ method: 'get', uri: 'https://svc.test/a' })).toEqual({
      method: 'GET',
      uri: 'https://svc.test/a',
      asynchronousPatternEnabled: true,
    });
    expect(durableHttpRequestOf(undefined)).toBe('callHttp needs a request');
    expect(durableHttpRequestOf({ uri: 'https://svc.test' })).toBe('callHttp needs a method');
    expect(durableHttpRequestOf({ method: 'GET' })).toBe('callHttp needs a url');
    expect(durableHttpRequestOf({ method: 'GET', uri: '/relative' })).toBe(
      "callHttp: '/relative' is not an absolute URL",
    );
    expect(durableHttpRequestOf({ method: 'GET', uri: 'file:///etc/passwd' })).toBe(
      "callHttp: 'file:///etc/passwd' is not an http(s) URL",
    );
  });

  test("the work item's input round-trips; anything else reads as no request", () => {
    const request = {
      method: 'POST',
      uri: 'http://svc.test/',
      content: 'x',
      asynchronousPatternEnabled: false,
    };
    expect(requestOfInput(httpActivityInput(request))).toEqual(request);
    for (const input of [null, '', '{', '{}', '[]', '[{"method":"GET"}]'])
      expect(requestOfInput(input)).toBeUndefined();
  });

  test('a 202 with a Location is polled at the Location (resolved against the request) after Retry-After', () => {
    const request = {
      method: 'POST',
      uri: 'http://svc.test/jobs/',
      content: '{}',
      headers: { 'X-Functions-Key': 'k', accept: 'application/json' },
      tokenSource: { kind: 'AzureManagedIdentity', resource: 'r' },
      asynchronousPatternEnabled: true,
    };
    const accepted = (headers: Record<string, string | string[]>): string =>
      JSON.stringify({ statusCode: 202, headers, content: '' });
    expect(pollOf(request, accepted({ location: '1/status', 'retry-after': ['4'] }), 30_000)).toEqual({
      request: {
        method: 'GET',
        uri: 'http://svc.test/jobs/1/status',
        headers: { accept: 'application/json' },
        tokenSource: { kind: 'AzureManagedIdentity', resource: 'r' },
        asynchronousPatternEnabled: true,
      },
      delayMs: 4000,
    });
    expect(pollOf(request, accepted({ Location: 'http://other.test/s' }), 30_000)?.delayMs).toBe(30_000);
    expect(pollOf(request, accepted({}), 30_000)).toBeUndefined();
    expect(
      pollOf(request, JSON.stringify({ statusCode: 200, headers: { location: '/x' } }), 1),
    ).toBeUndefined();
    expect(pollOf(request, 'not json', 1)).toBeUndefined();
    expect(
      pollOf({ ...request, asynchronousPatternEnabled: false }, accepted({ location: '/x' }), 1),
    ).toBeUndefined();
  });

  test('requests that cannot be sent fail before anything goes out', async () => {
    const send = (request: object): ReturnType<typeof sendDurableHttpRequest> =>
      sendDurableHttpRequest(JSON.stringify([request]), {}, 1000);
    expect(
      await send({
        method: 'POST',
        uri: 'http://127.0.0.1:1/',
        headers: { 'Content-Type': 'multipart/form-data' },
      }),
    ).toMatchObject({
      ok: false,
      failure: { Reason: 'Multipart content is not supported with CallHttpAsync.' },
    });
    expect(
      await send({
        method: 'GET',
        uri: 'http://127.0.0.1:1/',
        tokenSource: { kind: 'Other', resource: 'r' },
      }),
    ).toMatchObject({
      ok: false,
      failure: { Reason: "callHttp: token source kind 'Other' is not supported by the local host" },
    });
    expect(await sendDurableHttpRequest('garbage', {}, 1000)).toMatchObject({
      ok: false,
      failure: { Reason: 'callHttp: the work item holds no valid request' },
    });
  });

  test('DURABLE_HTTP_TOKENS: a JSON object of resource → token; anything else says what is wrong', () => {
    expect(parseHttpTokens(undefined)).toEqual({});
    expect(parseHttpTokens('  ')).toEqual({});
    expect(parseHttpTokens('{"https://vault.azure.net":"t"}')).toEqual({ 'https://vault.azure.net': 't' });
    expect(() => parseHttpTokens('{')).toThrow('DURABLE_HTTP_TOKENS is not JSON');
    expect(() => parseHttpTokens('["t"]')).toThrow('must be a JSON object of resource → token');
    expect(() => parseHttpTokens('{"r":1}')).toThrow("the token for 'r' must be a string");
  });
});
