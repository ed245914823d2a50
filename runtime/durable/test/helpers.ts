/** Shared steps of the durable backend's host tests. */
import path from 'node:path';
import { createTestHost, type TestHost, type TestHostOptions } from '../../testHost';
import { createDurableService } from '../service';
import type { StatusBody } from '../statusView';

export const DURABLE_APP = path.join(__dirname, '../../test/fixtures/durable-app');
export const API = '/runtime/webhooks/durabletask';

/** The URLs of a check-status payload (`createCheckStatusResponse`, a 202 of the HTTP API). */
export const CHECK_STATUS_URIS = [
  'statusQueryGetUri',
  'sendEventPostUri',
  'terminatePostUri',
  'rewindPostUri',
  'purgeHistoryDeleteUri',
  'restartPostUri',
  'suspendPostUri',
  'resumePostUri',
] as const;

/** A test host running only the durable backend (the other host services have their own tests). */
export function startDurableHost(options: Partial<TestHostOptions> = {}): Promise<TestHost> {
  return createTestHost({ appRoot: DURABLE_APP, services: [createDurableService()], ...options });
}

/** What the Durable HTTP API answers for an instance. */
export type Status = StatusBody;

/** Starts an orchestration through the Durable HTTP API and returns its instance id. */
export async function start(
  host: TestHost,
  name: string,
  input?: unknown,
  instanceId?: string,
): Promise<string> {
  const res = await host.fetch(
    `${API}/orchestrators/${name}${instanceId ? `/${encodeURIComponent(instanceId)}` : ''}`,
    {
      method: 'POST',
      body: input === undefined ? '' : JSON.stringify(input),
      headers: { 'content-type': 'application/json' },
    },
  );
  if (res.status !== 202) throw new Error(`start ${name}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

export async function status(host: TestHost, instanceId: string, query = ''): Promise<Status> {
  const res = await host.fetch(`${API}/instances/${encodeURIComponent(instanceId)}${query}`);
  if (res.status === 404) throw new Error(`no instance ${instanceId}`);
  return (await res.json()) as Status;
}

export async function raise(
  host: TestHost,
  instanceId: string,
  name: string,
  data: unknown,
): Promise<number> {
  const res = await host.fetch(`${API}/instances/${encodeURIComponent(instanceId)}/raiseEvent/${name}`, {
    method: 'POST',
    body: JSON.stringify(data),
    headers: { 'content-type': 'application/json' },
  });
  await res.arrayBuffer();
  return res.status;
}

/** Starts an orchestration and waits until the host has nothing left to do now. */
export async function run(
  host: TestHost,
  name: string,
  input?: unknown,
  instanceId?: string,
): Promise<Status> {
  const id = await start(host, name, input, instanceId);
  await host.waitForIdle();
  return status(host, id);
}

/**
 * Moves the virtual clock forward `ms`, stopping at every durable timer on the way and letting the
 * work it starts finish first, so each timer fires (and its episode runs) at its own time.
 */
export async function advance(host: TestHost, ms: number): Promise<void> {
  const target = host.clock.now() + ms;
  for (;;) {
    const next = (
      host.db.prepare('SELECT MIN(fire_at) AS at FROM durable_timers').get() as { at: number | null }
    ).at;
    if (next === null || next > target) break;
    await host.advance(Math.max(0, next - host.clock.now()));
  }
  await host.advance(Math.max(0, target - host.clock.now()));
}
