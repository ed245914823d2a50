import type { TestHost } from '../../testHost';
import { startDurableHost, status } from './helpers';

describe("the SDK's DurableClient against the host", () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startDurableHost();
  });
  afterAll(async () => {
    await host.stop();
  });

  const client = async (
    operation: string,
    instanceId: string,
    args: unknown = {},
  ): Promise<{ status: number; body: unknown }> => {
    const res = await host.fetch(`/api/client/${operation}/${encodeURIComponent(instanceId)}`, {
      method: 'POST',
      body: JSON.stringify(args),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };

  test('an HTTP starter starts an instance and its statusQueryGetUri is followed to completion with plain HTTP', async () => {
    const res = await host.fetch('/api/start/HelloCities', {
      method: 'POST',
      body: JSON.stringify(['Paris', 'Quito']),
    });
    expect(res.status).toBe(202);
    expect(res.headers.get('retry-after')).toBe('10');
    const payload = (await res.json()) as { id: string; statusQueryGetUri: string; sendEventPostUri: string };
    expect(res.headers.get('location')).toBe(payload.statusQueryGetUri);
    expect(
      payload.statusQueryGetUri.startsWith(
        `${host.baseUrl}/runtime/webhooks/durabletask/instances/${payload.id}?`,
      ),
    ).toBe(true);

    let final: Response | undefined;
    for (let poll = 0; poll < 100 && !final; poll++) {
      const polled = await fetch(payload.statusQueryGetUri);
      if (polled.status === 200) final = polled;
      else {
        expect(polled.status).toBe(202);
        await polled.arrayBuffer();
        await host.waitForIdle();
      }
    }
    expect(final).toBeDefined();
    expect(await final!.json()).toMatchObject({
      name: 'HelloCities',
      instanceId: payload.id,
      runtimeStatus: 'Completed',
      output: ['Hello Paris!', 'Hello Quito!'],
    });
  });

  test('the client reads status with history, raises events, lists, terminates and purges', async () => {
    const started = await host.fetch('/api/start/Status/client-ops', { method: 'POST' });
    expect(started.status).toBe(202);
    await host.waitForIdle();

    const running = await client('status', 'client-ops', { showHistory: true, showHistoryOutput: true });
    expect(running.status).toBe(200);
    expect(running.body).toMatchObject({
      instanceId: 'client-ops',
      runtimeStatus: 'Running',
      customStatus: { stage: 'waiting', greeting: 'Hello Status!' },
    });

    const listed = await client('list', 'client-ops', { runtimeStatus: ['Running'] });
    expect((listed.body as Array<{ instanceId: string }>).map((s) => s.instanceId)).toContain('client-ops');

    expect((await client('raise', 'client-ops', { name: 'Go', data: { via: 'client' } })).status).toBe(202);
    await host.waitForIdle();
    expect(await status(host, 'client-ops')).toMatchObject({
      runtimeStatus: 'Completed',
      output: { via: 'client' },
    });
    // Raising to a finished instance is accepted by the SDK (410 is not an error for it).
    expect((await client('raise', 'client-ops', { name: 'Go', data: 1 })).status).toBe(202);
    const unknown = await client('raise', 'nobody-here', { name: 'Go', data: 1 });
    expect(unknown).toEqual({ status: 409, body: { error: "No instance with ID 'nobody-here' found." } });

    expect((await client('purge', 'client-ops')).body).toEqual({ instancesDeleted: 1 });
    expect((await client('purge', 'client-ops')).body).toEqual({ instancesDeleted: 0 });
    const gone = await client('status', 'client-ops');
    expect(gone.status).toBe(409);
    expect((gone.body as { error: string }).error).toContain('404');

    await host.fetch('/api/start/Approval/client-terminate', { method: 'POST' });
    await host.waitForIdle();
    expect((await client('terminate', 'client-terminate', { reason: 'stop' })).status).toBe(202);
    await host.waitForIdle();
    expect(await status(host, 'client-terminate')).toMatchObject({
      runtimeStatus: 'Terminated',
      output: 'stop',
    });
  });
});
