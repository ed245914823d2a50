/**
 * Apps whose package.json `main` is a glob, shaped like Microsoft's samples (TypeScript compiled to
 * dist/src/functions/*.js) and like `func init` (src/{index.js,functions/*.js}): every matching
 * file is loaded, as the Node worker loads them, and the documented HTTP starters drive chaining,
 * human interaction and entities end to end.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createTestHost, type TestHost } from '../testHost';
import { AppLoadError, resolveEntryPoints } from '../worker/loadApp';

const fixture = (name: string): string => path.join(__dirname, 'fixtures', name);
const GLOB_APP = fixture('glob-main-app');

interface CheckStatus {
  id: string;
  statusQueryGetUri: string;
  sendEventPostUri: string;
}

interface Status {
  runtimeStatus: string;
  output: unknown;
}

/** Follows a check-status payload's statusQueryGetUri with plain HTTP until the instance has ended. */
async function followToEnd(host: TestHost, payload: CheckStatus): Promise<Status> {
  for (let poll = 0; poll < 50; poll++) {
    const res = await fetch(payload.statusQueryGetUri);
    const body = (await res.json()) as Status;
    if (res.status === 200) return body;
    expect(res.status).toBe(202);
    await host.waitForIdle();
  }
  throw new Error(`instance ${payload.id} did not end`);
}

describe('a package.json main that is a glob', () => {
  test('names every file the worker would load, sorted, skipping dot files, folders below and other extensions', async () => {
    const files = await resolveEntryPoints(GLOB_APP);
    expect(files.map((f) => path.relative(GLOB_APP, f))).toEqual([
      'dist/src/functions/approval.js',
      'dist/src/functions/counter.js',
      'dist/src/functions/helloOrchestrator.js',
    ]);
    const funcInit = fixture('func-init-app');
    expect((await resolveEntryPoints(funcInit)).map((f) => path.relative(funcInit, f))).toEqual([
      'src/functions/httpTrigger1.js',
      'src/functions/httpTrigger2.js',
      'src/index.js',
    ]);
  });

  describe('that matches nothing', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(__dirname, 'fixtures', '.tmp-glob-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    test('is refused with a message naming the pattern, and a plain path that is missing says it does not exist', async () => {
      writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ main: 'dist/src/functions/*.js' }));
      await expect(resolveEntryPoints(dir)).rejects.toThrow(AppLoadError);
      await expect(resolveEntryPoints(dir)).rejects.toThrow(
        /No file of .* matches the app's entry point pattern dist\/src\/functions\/\*\.js \(package\.json "main"\)/,
      );
      writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ main: 'dist/index.js' }));
      await expect(resolveEntryPoints(dir)).rejects.toThrow(
        'entry point dist/index.js (package.json "main") does not exist',
      );
    });

    test('an entry point that throws fails the start naming that file', async () => {
      cpSync(fixture('func-init-app'), dir, { recursive: true });
      writeFileSync(path.join(dir, 'src', 'functions', 'broken.js'), "throw new Error('half-written');\n");
      const attempt = createTestHost({ appRoot: dir, services: [] });
      await expect(attempt).rejects.toThrow(AppLoadError);
      await expect(attempt).rejects.toThrow(/src\/functions\/broken\.js threw while loading: half-written/);
    });
  });

  test('func init shape: index.js and every function file load, the appStart hook runs', async () => {
    const host = await createTestHost({ appRoot: fixture('func-init-app'), services: [] });
    try {
      expect([...host.registry.functions.keys()].sort()).toEqual(['httpTrigger1', 'httpTrigger2']);
      expect(await (await host.fetch('/api/httpTrigger1?name=Ada')).text()).toBe('Hello, Ada!');
      expect(await (await host.fetch('/api/httpTrigger2')).json()).toEqual({
        functionName: 'httpTrigger2',
        appStarted: true,
      });
    } finally {
      await host.stop();
    }
  });

  describe("Microsoft's sample shape (dist/src/functions/*.js) with the durable backend", () => {
    let host: TestHost;
    beforeAll(async () => {
      host = await createTestHost({ appRoot: GLOB_APP, users: false });
    });
    afterAll(async () => {
      await host.stop();
    });

    test('loads the three function files and nothing else', () => {
      expect([...host.registry.functions.keys()].sort()).toEqual(
        [
          'Counter',
          'approvalDecide',
          'approvalStart',
          'approvalWorkflow',
          'counterOrchestration',
          'counterRead',
          'helloOrchestrator',
          'helloOrchestratorActivity',
          'helloOrchestratorHttpStart',
          'recordDecision',
        ].sort(),
      );
    });

    test('chaining through df.app.client.http, client.startNew and createCheckStatusResponse', async () => {
      const res = await host.fetch('/api/orchestrators/helloOrchestrator', { method: 'POST' });
      expect(res.status).toBe(202);
      const payload = (await res.json()) as CheckStatus;
      expect(res.headers.get('location')).toBe(payload.statusQueryGetUri);
      expect(await followToEnd(host, payload)).toMatchObject({
        runtimeStatus: 'Completed',
        output: ['Hello, Tokyo', 'Hello, Seattle', 'Hello, Cairo'],
      });
    });

    test('human interaction: an approval raised through an app.http function with the durable client input', async () => {
      const res = await host.fetch('/api/approvals', { method: 'POST' });
      expect(res.status).toBe(202);
      const payload = (await res.json()) as CheckStatus;
      await host.waitForIdle();
      const decided = await host.fetch(`/api/approvals/${payload.id}/decision`, {
        method: 'POST',
        body: JSON.stringify({ approved: true }),
      });
      expect(decided.status).toBe(202);
      expect(await followToEnd(host, payload)).toMatchObject({
        runtimeStatus: 'Completed',
        output: 'approved',
      });
    });

    test('human interaction: nobody decides, the 72-hour deadline escalates', async () => {
      const payload = (await (await host.fetch('/api/approvals', { method: 'POST' })).json()) as CheckStatus;
      await host.waitForIdle();
      await host.advance(72 * 60 * 60 * 1000);
      expect(await followToEnd(host, payload)).toMatchObject({
        runtimeStatus: 'Completed',
        output: 'escalated',
      });
    });

    test('an orchestration calls an entity, whose state an HTTP function reads with readEntityState', async () => {
      const res = await host.fetch('/api/orchestrators/counterOrchestration', {
        method: 'POST',
        body: JSON.stringify('glob'),
      });
      const payload = (await res.json()) as CheckStatus;
      expect(await followToEnd(host, payload)).toMatchObject({ runtimeStatus: 'Completed', output: 7 });
      const state = await host.fetch('/api/counters/glob');
      expect(state.status).toBe(200);
      expect(await state.json()).toBe(7);
      expect((await host.fetch('/api/counters/nobody')).status).toBe(404);
    });
  });
});
