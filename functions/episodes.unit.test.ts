import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type * as df from 'durable-functions';
import { withEpisodes } from './episodes';

const exporter = new InMemorySpanExporter();
beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  );
});
beforeEach(() => exporter.reset());

const TRACE = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };

/** The SDK's context as the orchestrator sees it: replaying for the first `replayed` steps. */
function episode(replayed: number) {
  let step = 0;
  const ctx = {
    df: {
      get isReplaying() {
        return step < replayed;
      },
      instanceId: 'tr-1',
      getInput: () => ({ transferId: 'tr-1', trace: TRACE }),
    },
  };
  return { ctx: ctx as unknown as df.OrchestrationContext, next: () => (step += 1) };
}

function* orchestrator(): Generator<string, string, string> {
  const a = yield 'first';
  const b = yield 'second';
  try {
    yield 'third';
  } catch (error) {
    return `${a}+${b}+caught ${(error as Error).message}`;
  }
  return `${a}+${b}`;
}

/** Drives a generator as the SDK does for one episode, sending each yielded value back upper-cased. */
function drive(replayed: number, failThird = false) {
  const { ctx, next } = episode(replayed);
  const gen = withEpisodes(
    'transferProcess',
    orchestrator as unknown as df.OrchestrationHandler,
  )(ctx) as Generator<string, string, string>;
  const yielded: string[] = [];
  let result = gen.next();
  while (!result.done) {
    yielded.push(result.value);
    next();
    result =
      failThird && result.value === 'third'
        ? gen.throw(new Error('boom'))
        : gen.next(result.value.toUpperCase());
  }
  return { yielded, value: result.value };
}

describe('orchestration episodes in the trace', () => {
  it('passes every value and error through unchanged', () => {
    expect(drive(0)).toEqual({ yielded: ['first', 'second', 'third'], value: 'FIRST+SECOND' });
    expect(drive(0, true)).toEqual({
      yielded: ['first', 'second', 'third'],
      value: 'FIRST+SECOND+caught boom',
    });
  });

  it('marks one episode when its replay ends, in the process’s trace, with the replayed steps', () => {
    drive(2);
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0].name).toBe('orchestration transferProcess episode');
    expect(spans[0].spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(spans[0].attributes).toMatchObject({
      'cardflow.orchestration.replayed_steps': 2,
      'cardflow.transfer_id': 'tr-1',
      'cardflow.instance_id': 'tr-1',
    });
  });

  it('emits nothing for an episode that only replays', () => {
    drive(10);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
