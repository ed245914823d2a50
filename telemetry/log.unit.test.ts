import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { appLog, formatLine } from './log';
import { inSpan } from './spans';

function sink() {
  const lines: Array<[string, string]> = [];
  return {
    lines,
    invocationId: 'inv-1',
    log: (line: unknown) => lines.push(['info', String(line)]),
    warn: (line: unknown) => lines.push(['warn', String(line)]),
    error: (line: unknown) => lines.push(['error', String(line)]),
  };
}

afterEach(() => delete process.env.LOG_FORMAT);

describe('the app’s log lines', () => {
  it('reads in a terminal: the message, then the ids that matter', () => {
    const s = sink();
    appLog(s, { transferId: 'tr-1' })
      .with({ commandId: 'c-1' })
      .warn('transfer refused', { reason: 'same_account' });
    expect(s.lines).toEqual([
      ['warn', 'transfer refused · transferId=tr-1 commandId=c-1 reason=same_account invocationId=inv-1'],
    ]);
  });

  it('is one JSON object with LOG_FORMAT=json, and carries the active trace id', async () => {
    process.env.LOG_FORMAT = 'json';
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(new BasicTracerProvider());
    const s = sink();
    const traceId = await inSpan('work', { parent: null }, (span) => {
      appLog(s).error('store down', { transferId: 'tr-2', attempt: 3 });
      return span.spanContext().traceId;
    });
    expect(JSON.parse(s.lines[0][1])).toEqual({
      message: 'store down',
      transferId: 'tr-2',
      attempt: 3,
      invocationId: 'inv-1',
      traceId,
    });
  });

  it('leaves out fields without a value', () => {
    expect(formatLine('hello', { a: undefined, b: null }, 'text')).toBe('hello');
    expect(formatLine('hello', { a: undefined, b: 0 }, 'JSON')).toBe('{"message":"hello","b":0}');
  });

  it('keeps a record on one line: values with spaces or line breaks are quoted, a message’s breaks marked', () => {
    const line = formatLine(
      'transfer failed\nFAKE record',
      { transferId: 'tr-1', reason: 'a b\nFAKE transferId=tr-2' },
      'text',
    );
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toBe('transfer failed ⏎ FAKE record · transferId=tr-1 reason="a b\\nFAKE transferId=tr-2"');
  });
});
