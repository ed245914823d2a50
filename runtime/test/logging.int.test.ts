import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppLoadError } from '../worker/loadApp';
import { jsonLine } from '../logger';
import { createTestHost, type TestHost } from '../testHost';

let host: TestHost;
beforeAll(async () => {
  host = await createTestHost({ appRoot: path.join(__dirname, 'fixtures/logging-app'), users: false });
});
afterAll(() => host?.stop());

async function linesOf(name: string) {
  const before = host.logs.entries.length;
  expect((await host.fetch(`/api/${name}`)).status).toBe(200);
  return host.logs.entries.slice(before);
}

describe('host.json logging.logLevel', () => {
  it('keeps a function’s Information lines at the default level, and drops Debug', async () => {
    const lines = await linesOf('plain');
    expect(lines.map((l) => l.message)).toEqual([
      '[Functions.plain] plain: information',
      '[Functions.plain] plain: warning',
      '[Functions.plain] {"message":"plain: structured","transferId":"tr-1"}',
      expect.stringMatching(/^Executed 'Functions\.plain' \(Succeeded/),
    ]);
  });

  it('applies Function.<name> to the function’s lines and its Executed line', async () => {
    const lines = await linesOf('quiet');
    expect(lines.map((l) => l.message)).toEqual(['[Functions.quiet] quiet: warning']);
  });

  it('applies Function.<name>.User to the function’s own lines only', async () => {
    const lines = await linesOf('chatty');
    expect(lines.map((l) => l.message)).toEqual([
      '[Functions.chatty] chatty: debug',
      '[Functions.chatty] chatty: information',
      '[Functions.chatty] chatty: warning',
      '[Functions.chatty] {"message":"chatty: structured","transferId":"tr-1"}',
      expect.stringMatching(/^Executed 'Functions\.chatty'/),
    ]);
  });

  it('gives every line its category, function and invocation id', async () => {
    const lines = await linesOf('plain');
    const invocationId = lines[0].fields?.invocationId;
    expect(invocationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines[0].fields).toEqual({ category: 'Function.plain.User', functionName: 'plain', invocationId });
    expect(lines[3].fields).toMatchObject({ category: 'Function.plain', invocationId, succeeded: true });
  });
});

describe('JSON log lines (LOG_FORMAT=json)', () => {
  it('writes one object per record, with the fields, and lifts a structured message’s properties', () => {
    const plain = JSON.parse(jsonLine('warn', 'disk low', { category: 'Host' }));
    expect(plain).toEqual({ time: expect.any(String), level: 'warn', category: 'Host', message: 'disk low' });
    const structured = JSON.parse(
      jsonLine('info', '[Functions.api] {"message":"transfer requested","transferId":"tr-1"}', {
        invocationId: 'i-1',
      }),
    );
    expect(structured).toEqual({
      time: expect.any(String),
      level: 'info',
      invocationId: 'i-1',
      message: 'transfer requested',
      transferId: 'tr-1',
    });
    expect(JSON.parse(jsonLine('info', '{not json')).message).toBe('{not json');
  });

  it('never lets a structured message overwrite the host’s time, level or origin', () => {
    const record = JSON.parse(
      jsonLine('error', '[Functions.x] {"level":"info","category":"Host.Spoof","time":"1999","detail":"d"}', {
        category: 'Function.x.User',
        invocationId: 'i-1',
      }),
    );
    expect(record).toMatchObject({
      level: 'error',
      category: 'Function.x.User',
      invocationId: 'i-1',
      detail: 'd',
    });
    expect(record.time).not.toBe('1999');
  });
});

describe('a host.json log level the host does not know', () => {
  it('stops the start with the app’s mistake named, not a stack', async () => {
    // Inside the repository, so the copy finds @azure/functions in its node_modules.
    const dir = mkdtempSync(path.join(__dirname, 'fixtures', 'tmp-bad-levels-'));
    try {
      cpSync(path.join(__dirname, 'fixtures/logging-app'), dir, { recursive: true });
      writeFileSync(
        path.join(dir, 'host.json'),
        JSON.stringify({ version: '2.0', logging: { logLevel: { Function: 'Verbose' } } }),
      );
      const started = createTestHost({ appRoot: dir, users: false });
      await expect(started).rejects.toThrow(AppLoadError);
      await expect(started).rejects.toThrow(/logLevel\.Function is "Verbose"; use one of Trace, Debug/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
