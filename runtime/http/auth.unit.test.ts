import type { IncomingMessage } from 'node:http';
import { authorizeSystemRoute, isFromThisMachine, systemRouteAccess } from './auth';

/** The parts of a request the check reads. */
function request(remoteAddress: string, headers: Record<string, string> = {}, localAddress = '10.0.0.5') {
  return { headers, socket: { remoteAddress, localAddress } } as unknown as IncomingMessage;
}

const keys = { functionKeys: ['fn'], masterKey: 'master' };
const devMode = { functionKeys: [] };

describe('systemRouteAccess', () => {
  test.each([
    ['/runtime/webhooks/durabletask/instances', 'systemKey'],
    ['/runtime/webhooks/eventgrid', 'systemKey'],
    ['/RUNTIME/Webhooks/DurableTask/instances', 'systemKey'],
    ['/runtime/eventgrid/deadletters', 'systemKey'],
    ['/runtime/eventgrid/deadletters/3/redeliver', 'systemKey'],
    ['/runtime/eventgrid/subscriptions', 'systemKey'],
    ['/runtime/anything-else', 'systemKey'],
    ['/runtime', 'systemKey'],
    ['/runtime/eventgrid/topics/cardflow/api/events', 'own'],
    ['/runtime/durabletask-rpc/instances/x', 'machine'],
    ['/runtime/durabletask-rpc', 'machine'],
  ])('%s is %s', (path, access) => {
    expect(systemRouteAccess(path)).toBe(access);
  });

  test("leaves the app's routes alone", () => {
    for (const path of ['/api/accounts', '/', '/runtimex/webhooks', '/api/runtime/webhooks']) {
      expect(systemRouteAccess(path)).toBeUndefined();
    }
  });
});

describe('authorizeSystemRoute', () => {
  const url = (q = '') => new URL(`http://127.0.0.1:7071/runtime/webhooks/durabletask/instances${q}`);

  test('with keys, a system route takes only the master key, as ?code= or x-functions-key', () => {
    expect(authorizeSystemRoute('systemKey', keys, request('127.0.0.1'), url())).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(authorizeSystemRoute('systemKey', keys, request('127.0.0.1'), url('?code=fn')).ok).toBe(false);
    expect(authorizeSystemRoute('systemKey', keys, request('127.0.0.1'), url('?code=master')).ok).toBe(true);
    expect(
      authorizeSystemRoute('systemKey', keys, request('203.0.113.9', { 'x-functions-key': 'master' }), url())
        .ok,
    ).toBe(true);
  });

  test('in dev mode a system route is open', () => {
    expect(authorizeSystemRoute('systemKey', devMode, request('203.0.113.9'), url()).ok).toBe(true);
  });

  test('the RPC base answers this machine only, whatever the keys', () => {
    for (const k of [keys, devMode]) {
      expect(authorizeSystemRoute('machine', k, request('127.0.0.1'), url()).ok).toBe(true);
      expect(
        authorizeSystemRoute('machine', k, request('203.0.113.9', { 'x-functions-key': 'master' }), url()),
      ).toMatchObject({ ok: false, status: 403 });
    }
  });

  test('a route with its own credentials is passed through', () => {
    expect(authorizeSystemRoute('own', keys, request('203.0.113.9'), url()).ok).toBe(true);
  });
});

describe('isFromThisMachine', () => {
  test.each([
    ['127.0.0.1', true],
    ['127.45.6.7', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['10.0.0.5', true], // the server's own address
    ['10.0.0.6', false],
    ['::ffff:10.0.0.6', false],
    ['128.0.0.1', false],
    ['fe80::1', false],
  ])('%s → %s', (remote, expected) => {
    expect(isFromThisMachine(remote, '10.0.0.5')).toBe(expected);
  });

  test('a request without a peer address is not trusted', () => {
    expect(isFromThisMachine(undefined, '127.0.0.1')).toBe(false);
  });
});
