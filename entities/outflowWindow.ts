/**
 * The `outflowWindow` entity: one per source account (key = account id), holding that account's
 * outgoing transfers of the last 24 hours for the velocity rule. Entities run one operation at a
 * time per key, so concurrent transfers from one account are assessed in turn.
 *
 * Operations:
 * - `assess {transferId, amount, at}` → `{windowTotal}`; idempotent per transfer id (a repeat
 *   returns the first answer). Whether that total needs approval is the transfer machine's call.
 * - `cancel {transferId}` → the transfer no longer counts (it moved no money).
 * - `get` → the window.
 */
import type * as df from 'durable-functions';
import { z } from 'zod';
import {
  assessOutflow,
  cancelOutflow,
  emptyOutflowWindow,
  pruneOutflows,
  type OutflowWindow,
} from '../domain';
import type { AssessOutflow, CancelOutflow, OutflowAssessment } from './contracts';

export { OUTFLOW_WINDOW_ENTITY, type OutflowAssessment } from './contracts';

export const AssessOutflowSchema: z.ZodType<AssessOutflow> = z.object({
  transferId: z.string().min(1),
  amount: z.int().min(1),
  /** ISO-8601 instant or epoch ms. */
  at: z.union([z.string(), z.number()]),
});
export const CancelOutflowSchema: z.ZodType<CancelOutflow> = z.object({ transferId: z.string().min(1) });

function epochMs(at: string | number): number {
  const ms = typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(ms)) throw new Error(`outflowWindow: 'at' is not an instant: ${JSON.stringify(at)}`);
  return ms;
}

/**
 * One operation on a window, as a pure function (the entity handler only moves state in and out).
 * Unknown operations and bad inputs throw: the caller's `callEntity` then fails with the message.
 */
export function operateOutflowWindow(
  window: OutflowWindow,
  operation: string | undefined,
  input: unknown,
): { window: OutflowWindow; result: unknown } {
  switch (operation) {
    case 'assess': {
      const request = AssessOutflowSchema.parse(input);
      const at = epochMs(request.at);
      const { window: next, assessment } = assessOutflow(window, {
        transferId: request.transferId,
        amount: request.amount,
        at,
      });
      const result: OutflowAssessment = { windowTotal: assessment.windowTotal };
      return { window: next, result };
    }
    case 'cancel': {
      const { transferId } = CancelOutflowSchema.parse(input);
      return { window: cancelOutflow(window, transferId), result: null };
    }
    case 'get':
      return { window, result: window };
    case 'prune': {
      // Housekeeping: drop what has left the window (`input` = now, ISO or epoch ms).
      return {
        window: pruneOutflows(window, epochMs(z.union([z.string(), z.number()]).parse(input))),
        result: null,
      };
    }
    default:
      throw new Error(
        `outflowWindow has no operation ${JSON.stringify(operation)} (assess, cancel, get, prune)`,
      );
  }
}

export const outflowWindowEntity: df.EntityHandler<OutflowWindow> = (context) => {
  const window = context.df.getState(() => emptyOutflowWindow) ?? emptyOutflowWindow;
  const { window: next, result } = operateOutflowWindow(
    window,
    context.df.operationName,
    context.df.getInput(),
  );
  if (next !== window || context.df.isNewlyConstructed) context.df.setState(next);
  context.df.return(result);
};
