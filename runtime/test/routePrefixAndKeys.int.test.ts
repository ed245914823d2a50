import path from 'node:path';
import { createTestHost, type TestHost } from '../testHost';

const fixture = (name: string): string => path.join(__dirname, 'fixtures', name);

describe('route prefix from host.json', () => {
  test('serves functions under a custom prefix (slashes trimmed) and nowhere else', async () => {
    const host = await createTestHost({ appRoot: fixture('prefix-app'), services: [] });
    try {
      expect(await (await host.fetch('/v1/edge/status')).json()).toEqual({ ok: true });
      expect((await host.fetch('/api/status')).status).toBe(404);
      expect(host.httpFunctions.map((f) => f.url)).toEqual([`${host.baseUrl}/v1/edge/status`]);
    } finally {
      await host.stop();
    }
  });

  test('serves functions at the root with an empty prefix, including an empty route', async () => {
    const host = await createTestHost({ appRoot: fixture('root-app'), services: [] });
    try {
      expect(await (await host.fetch('/')).text()).toBe('home');
      const id = '5f0c8a4e-1b2d-4c3e-9f4a-0123456789ab';
      expect(await (await host.fetch(`/items/${id}`)).text()).toBe(id);
      expect((await host.fetch('/items/not-a-guid')).status).toBe(404);
    } finally {
      await host.stop();
    }
  });
});

describe('authLevel', () => {
  test('requires no key in dev mode (no keys configured), like Core Tools', async () => {
    const host = await createTestHost({ appRoot: fixture('http-app'), services: [] });
    try {
      expect((await host.fetch('/api/secret')).status).toBe(200);
      expect((await host.fetch('/api/admin-only')).status).toBe(200);
    } finally {
      await host.stop();
    }
  });

  describe('with keys configured', () => {
    let host: TestHost;
    beforeAll(async () => {
      host = await createTestHost({
        appRoot: fixture('http-app'),
        services: [],
        functionKeys: ['fn-key-1', 'fn-key-2'],
        masterKey: 'master-key',
      });
    });
    afterAll(() => host.stop());

    test('answers 401 problem+json to a function-level route without a key or with a wrong one', async () => {
      for (const res of [await host.fetch('/api/secret'), await host.fetch('/api/secret?code=wrong')]) {
        expect(res.status).toBe(401);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(await res.json()).toMatchObject({ status: 401, title: 'Unauthorized' });
      }
    });

    test('accepts a function key in x-functions-key or ?code=, and the master key', async () => {
      expect((await host.fetch('/api/secret', { headers: { 'x-functions-key': 'fn-key-2' } })).status).toBe(
        200,
      );
      expect(await (await host.fetch('/api/secret?code=fn-key-1')).text()).toBe('function-level');
      expect((await host.fetch('/api/secret?code=master-key')).status).toBe(200);
    });

    test('lets only the master key through to an admin-level route', async () => {
      expect((await host.fetch('/api/admin-only?code=fn-key-1')).status).toBe(401);
      expect(
        (await host.fetch('/api/admin-only', { headers: { 'x-functions-key': 'master-key' } })).status,
      ).toBe(200);
    });

    test('keeps anonymous routes open', async () => {
      expect((await host.fetch('/api/hello')).status).toBe(200);
    });
  });

  test('reads keys from the settings FUNCTIONS_FUNCTION_KEYS and FUNCTIONS_MASTER_KEY', async () => {
    const host = await createTestHost({
      appRoot: fixture('http-app'),
      services: [],
      settings: { FUNCTIONS_FUNCTION_KEYS: 'alpha, beta', FUNCTIONS_MASTER_KEY: 'omega' },
    });
    try {
      expect((await host.fetch('/api/secret')).status).toBe(401);
      expect((await host.fetch('/api/secret?code=beta')).status).toBe(200);
      expect((await host.fetch('/api/admin-only?code=omega')).status).toBe(200);
    } finally {
      await host.stop();
    }
  });
});
