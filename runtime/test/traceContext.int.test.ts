import path from 'node:path';
import { createTestHost, type TestHost } from '../testHost';

let host: TestHost;
beforeAll(async () => {
  host = await createTestHost({ appRoot: path.join(__dirname, 'fixtures/logging-app'), users: false });
});
afterAll(() => host?.stop());

describe('the invocation’s trace context (InvocationContext.traceContext)', () => {
  it('is the HTTP request’s traceparent and tracestate, as the Functions host passes them', async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const response = await host.fetch('/api/traceContext', {
      headers: { traceparent, tracestate: 'vendor=1' },
    });
    expect(await response.json()).toEqual({
      traceContext: { traceParent: traceparent, traceState: 'vendor=1', attributes: {} },
    });
  });

  it('is absent when the request carries none', async () => {
    expect(await (await host.fetch('/api/traceContext')).json()).toEqual({ traceContext: 'none' });
  });
});
