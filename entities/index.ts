/** Registers the app's durable entities (import for the side effect), each operation in a span continuing its caller's trace. */
import * as df from 'durable-functions';
import { attr, inSpanSync, SpanKind, traceOf } from '../telemetry';
import type { OutflowWindow } from '../domain';
import { OUTFLOW_WINDOW_ENTITY } from './contracts';
import { outflowWindowEntity } from './outflowWindow';

df.app.entity(OUTFLOW_WINDOW_ENTITY, (context: df.EntityContext<OutflowWindow>) => {
  const input = context.df.getInput() as { trace?: unknown; transferId?: unknown } | undefined;
  return inSpanSync(
    `entity ${OUTFLOW_WINDOW_ENTITY}.${context.df.operationName ?? ''}`,
    {
      kind: SpanKind.SERVER,
      parent: traceOf(input?.trace) ?? null,
      attributes: {
        [attr.COMPONENT]: 'entity',
        [attr.ENTITY]: `@${OUTFLOW_WINDOW_ENTITY}@${context.df.entityKey}`,
        ...(typeof input?.transferId === 'string' ? { [attr.TRANSFER_ID]: input.transferId } : {}),
      },
    },
    () => outflowWindowEntity(context),
  );
});
