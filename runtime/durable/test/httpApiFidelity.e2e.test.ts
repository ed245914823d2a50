/**
 * The Durable HTTP API answers as the extension's HttpApiHandler does (one test per answer, over
 * real HTTP on loopback), and the URLs it hands out name the address the caller used.
 */
import { request } from 'node:http';
import path from 'node:path';
import type { TestHost } from '../../testHost';
import { createDurableService } from '../service';
import { API, CHECK_STATUS_URIS, run, start, startDurableHost, status } from './helpers';

describe('Durable HTTP API answers as the extension', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startDurableHost();
  });
  afterAll(async () => {
    await host.stop();
  });

  const json = { 'content-type': 'application/json' };

  test('raiseEvent with a content type other than application/json is 400 (and raises nothing)', async () => {
    const id = await start(host, 'Status');
    await host.waitForIdle();
    for (const type of ['text/plain', 'application/xml']) {
      const res = await host.fetch(`${API}/instances/${id}/raiseEvent/Go`, {
        method: 'POST',
        body: '"now"',
        headers: { 'content-type': type },
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(await res.json()).toMatchObject({
        status: 400,
        detail: 'Only application/json request content is supported.',
      });
    }
    await host.waitForIdle();
    expect((await status(host, id)).runtimeStatus).toBe('Running');
    const ok = await host.fetch(`${API}/instances/${id}/raiseEvent/Go`, {
      method: 'POST',
      body: '"now"',
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(ok.status).toBe(202);
    await host.waitForIdle();
    expect(await status(host, id)).toMatchObject({ runtimeStatus: 'Completed', output: 'now' });
  });

  test('raiseEvent checks the instance before the content type: 404 unknown, 410 finished', async () => {
    const unknown = await host.fetch(`${API}/instances/nobody/raiseEvent/Go`, { method: 'POST', body: 'x' });
    expect(unknown.status).toBe(404);
    await unknown.arrayBuffer();
    const done = await run(host, 'HelloCities', ['Rome']);
    const gone = await host.fetch(`${API}/instances/${done.instanceId}/raiseEvent/Go`, {
      method: 'POST',
      body: 'x',
    });
    expect(gone.status).toBe(410);
    await gone.arrayBuffer();
  });

  test('DELETE entities/{name}/{key} signals delete (202): the entity is gone', async () => {
    const add = await host.fetch(`${API}/entities/Counter/doomed?op=add`, {
      method: 'POST',
      body: '5',
      headers: json,
    });
    expect(add.status).toBe(202);
    await host.waitForIdle();
    expect(await (await host.fetch(`${API}/entities/Counter/doomed`)).json()).toBe(5);
    const res = await host.fetch(`${API}/entities/Counter/doomed`, { method: 'DELETE' });
    expect(res.status).toBe(202);
    expect(await res.text()).toBe('');
    await host.waitForIdle();
    const read = await host.fetch(`${API}/entities/Counter/doomed`);
    expect(read.status).toBe(404);
    await read.arrayBuffer();
    const unknown = await host.fetch(`${API}/entities/Nope/k`, { method: 'DELETE' });
    expect(unknown.status).toBe(400);
    await unknown.arrayBuffer();
  });

  test('rewind of a Completed or Terminated instance is 410', async () => {
    const done = await run(host, 'HelloCities', ['Oslo']);
    const terminated = await start(host, 'Status');
    await host.waitForIdle();
    expect(
      (await host.fetch(`${API}/instances/${terminated}/terminate?reason=x`, { method: 'POST' })).status,
    ).toBe(202);
    await host.waitForIdle();
    expect((await status(host, terminated)).runtimeStatus).toBe('Terminated');
    for (const id of [done.instanceId, terminated]) {
      const res = await host.fetch(`${API}/instances/${id}/rewind?reason=again`, { method: 'POST' });
      expect(res.status).toBe(410);
      expect(await res.json()).toMatchObject({ status: 410, title: 'Gone' });
    }
  });

  test('purge of a running instance purges it (200 {instancesDeleted: 1}); nothing of it runs on', async () => {
    const id = await start(host, 'Status');
    await host.waitForIdle();
    const res = await host.fetch(`${API}/instances/${id}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ instancesDeleted: 1 });
    expect((await host.fetch(`${API}/instances/${id}`)).status).toBe(404);
    const raised = await host.fetch(`${API}/instances/${id}/raiseEvent/Go`, {
      method: 'POST',
      body: '1',
      headers: json,
    });
    expect(raised.status).toBe(404);
    await raised.arrayBuffer();
    for (const table of ['durable_history', 'durable_messages', 'durable_activities', 'durable_timers'])
      expect(host.db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE instance_id = ?`).get(id)).toEqual({
        n: 0,
      });
  });

  test("a running instance's status asks for Retry-After: 5; the check-status 202 keeps 10", async () => {
    const started = await host.fetch(`${API}/orchestrators/Status`, { method: 'POST' });
    expect(started.status).toBe(202);
    expect(started.headers.get('retry-after')).toBe('10');
    const { id } = (await started.json()) as { id: string };
    await host.waitForIdle();
    const res = await host.fetch(`${API}/instances/${id}`);
    expect(res.status).toBe(202);
    expect(res.headers.get('retry-after')).toBe('5');
    await res.arrayBuffer();
  });

  test('the instance list shows inputs by default (showInput=false leaves them out)', async () => {
    await run(host, 'HelloCities', ['Lima'], 'shown-input');
    const listed = (await (
      await host.fetch(`${API}/instances?instanceIdPrefix=shown-input`)
    ).json()) as Array<{
      input: unknown;
    }>;
    expect(listed).toEqual([expect.objectContaining({ instanceId: 'shown-input', input: ['Lima'] })]);
    const hidden = (await (
      await host.fetch(`${API}/instances?instanceIdPrefix=shown-input&showInput=false`)
    ).json()) as Array<{ input: unknown }>;
    expect(hidden).toEqual([expect.objectContaining({ instanceId: 'shown-input', input: null })]);
  });

  test('purge by filter without createdTimeFrom is 400 and deletes nothing', async () => {
    await run(host, 'HelloCities', ['Kept'], 'kept-by-filter');
    const res = await host.fetch(`${API}/instances?runtimeStatus=Completed`, { method: 'DELETE' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      status: 400,
      detail: "Please provide value for 'createdTimeFrom' parameter.",
    });
    expect((await status(host, 'kept-by-filter')).runtimeStatus).toBe('Completed');
  });

  test('create-and-wait with timeout but no pollingInterval answers the check-status 202 at once', async () => {
    const res = await host.fetch(`${API}/orchestrators/HelloCities?timeout=30`, {
      method: 'POST',
      body: '["Nairobi"]',
      headers: json,
    });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { id: string; statusQueryGetUri: string };
    expect(res.headers.get('location')).toBe(body.statusQueryGetUri);
    await host.waitForIdle();
    expect((await status(host, body.id)).runtimeStatus).toBe('Completed');
  });

  test('create-and-wait: a failed instance answers its status (200), a polling interval over the timeout is 400', async () => {
    const failed = await host.fetch(`${API}/orchestrators/Failing?timeout=10&pollingInterval=1`, {
      method: 'POST',
    });
    expect(failed.status).toBe(200);
    expect(await failed.json()).toMatchObject({ name: 'Failing', runtimeStatus: 'Failed' });
    const before = host.db.prepare('SELECT COUNT(*) AS n FROM durable_instances').get();
    const bad = await host.fetch(`${API}/orchestrators/HelloCities?timeout=1&pollingInterval=2`, {
      method: 'POST',
    });
    expect(bad.status).toBe(400);
    await bad.arrayBuffer();
    expect(host.db.prepare('SELECT COUNT(*) AS n FROM durable_instances').get()).toEqual(before);
  });
});

/** A request with the Host header given, to the host's own address. */
function getWithHost(
  url: string,
  hostHeader: string,
  method = 'GET',
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { host: hostHeader } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('status URLs name the address the caller used', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startDurableHost({
      appRoot: path.join(__dirname, '../../test/fixtures/durable-http-app'),
      hostname: '0.0.0.0',
      services: [createDurableService()],
    });
  });
  afterAll(async () => {
    await host.stop();
  });

  const localhost = (): string => `localhost:${new URL(host.baseUrl).port}`;

  test('the check-status payload and a status Location of a request with Host localhost:<port>', async () => {
    expect(host.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:/);
    const started = await getWithHost(`${host.baseUrl}${API}/orchestrators/Hello`, localhost(), 'POST');
    expect(started.status).toBe(202);
    const payload = JSON.parse(started.body) as Record<string, string>;
    const expected = `http://${localhost()}${API}/instances/${payload.id}`;
    for (const key of CHECK_STATUS_URIS) expect(payload[key].startsWith(expected)).toBe(true);
    expect(started.headers.location).toBe(payload.statusQueryGetUri);
    const polled = await getWithHost(`${host.baseUrl}${API}/instances/${payload.id}`, localhost());
    if (polled.status === 202) expect(String(polled.headers.location).startsWith(expected)).toBe(true);
    await host.waitForIdle();
  });

  test("the durable client's data in an HTTP function: public URLs on the caller's Host, the RPC base on the host's own", async () => {
    const res = await getWithHost(`${host.baseUrl}/api/client-data`, localhost());
    expect(res.status).toBe(200);
    const data = JSON.parse(res.body) as {
      baseUrl: string;
      rpcBaseUrl: string;
      creationUrls: Record<string, string>;
      managementUrls: Record<string, string>;
    };
    expect(data.baseUrl).toBe(`http://${localhost()}${API}`);
    expect(data.creationUrls.createNewInstancePostUri.startsWith(`http://${localhost()}${API}/`)).toBe(true);
    expect(data.managementUrls.statusQueryGetUri.startsWith(`http://${localhost()}${API}/instances/`)).toBe(
      true,
    );
    expect(data.rpcBaseUrl).toBe(`${host.baseUrl}/runtime/durabletask-rpc/`);
    // Without a usable Host header the host's own address stands in.
    const plain = (await (await host.fetch('/api/client-data')).json()) as { baseUrl: string };
    expect(plain.baseUrl).toBe(`${host.baseUrl}${API}`);
  });

  const recorded = async (key: string): Promise<unknown> => {
    await host.waitForIdle();
    return (await host.fetch(`${API}/entities/Recorder/${key}`)).json();
  };

  test('signalling an entity without ?op= signals the operation "" (202)', async () => {
    const res = await host.fetch(`${API}/entities/Recorder/no-op`, {
      method: 'POST',
      body: '1',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(202);
    expect(await res.text()).toBe('');
    expect(await recorded('no-op')).toEqual([{ operation: '', input: 1 }]);
  });

  test('signalling an entity with a text/plain body passes the text as the input (202)', async () => {
    const res = await host.fetch(`${API}/entities/Recorder/text?op=note`, {
      method: 'POST',
      body: '{not json',
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(202);
    await res.arrayBuffer();
    const empty = await host.fetch(`${API}/entities/Recorder/text?op=empty`, { method: 'POST' });
    expect(empty.status).toBe(202);
    await empty.arrayBuffer();
    expect(await recorded('text')).toEqual([
      { operation: 'note', input: '{not json' },
      { operation: 'empty', input: null },
    ]);
  });
});
