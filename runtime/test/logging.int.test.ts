import path from 'node:path';
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
});
