/**
 * Orchestration episodes in the process's trace: when an episode's replay is over and new work
 * begins, a span `orchestration <name> episode` (an instant) marks it, with how many steps were
 * replayed. Nothing is emitted while replaying, and the orchestrator sees exactly what it would
 * without this (every value and error passes through).
 */
import type * as df from 'durable-functions';
import { attr, markMoment, SpanKind, traceOf } from '../telemetry';

type Orchestrator = df.OrchestrationHandler;

/** The orchestrator, with a marker span at the start of each episode's new work. */
export function withEpisodes(name: string, orchestrator: Orchestrator): Orchestrator {
  return function* traced(context: df.OrchestrationContext) {
    const inner = orchestrator(context);
    let steps = 0;
    let marked = false;
    const mark = (): void => {
      if (marked || context.df.isReplaying) return;
      marked = true;
      const input = context.df.getInput() as { trace?: unknown; transferId?: unknown } | undefined;
      markMoment(`orchestration ${name} episode`, {
        kind: SpanKind.INTERNAL,
        parent: traceOf(input?.trace) ?? null,
        attributes: {
          [attr.COMPONENT]: 'orchestration',
          [attr.ORCHESTRATION]: name,
          [attr.INSTANCE_ID]: context.df.instanceId,
          'cardflow.orchestration.replayed_steps': steps,
          ...(typeof input?.transferId === 'string' ? { [attr.TRANSFER_ID]: input.transferId } : {}),
        },
      });
    };
    let step = inner.next();
    for (;;) {
      mark();
      if (step.done) return step.value;
      let sent: unknown;
      try {
        sent = yield step.value;
      } catch (error) {
        steps += 1;
        step = inner.throw(error);
        continue;
      }
      steps += 1;
      step = inner.next(sent);
    }
  };
}
