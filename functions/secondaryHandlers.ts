/**
 * The secondary handlers Event Grid delivers to (docs/architecture.md, Event Grid): the approvals inbox and the audit
 * log. A handler that throws fails the delivery, and Event Grid retries it; both are idempotent on
 * the event id.
 */
import { app, type InvocationContext } from '@azure/functions';
import { getStores } from '../stores';
import { appLog, attr, inSpan, measure, SpanKind, traceOf } from '../telemetry';
import { nowIso } from './clock';
import { CardflowCloudEventSchema, type CardflowCloudEvent } from './secondary/cloudEvent';
import { handleInboxEvent } from './secondary/handleInboxEvent';
import { recordAudit } from './secondary/recordAudit';

export const APPROVALS_INBOX = 'approvalsInbox';
export const AUDIT_LOG = 'auditLog';

function parse(handlerName: string, event: unknown, context: InvocationContext) {
  const parsed = CardflowCloudEventSchema.safeParse(event);
  // Not ours (or malformed): retrying cannot help, so it is logged and acknowledged.
  if (!parsed.success) {
    appLog(context).warn('ignored an event that is not a Cardflow CloudEvent', {
      error: parsed.error.message,
    });
    measure.delivery(handlerName, 'ignored');
  }
  return parsed.success ? parsed.data : undefined;
}

/** Handles a delivery in a span that continues the trace the event was published in (its `traceparent`). */
function delivered(
  handlerName: string,
  event: CardflowCloudEvent,
  handle: () => Promise<string>,
): Promise<void> {
  const transferId = (event.data as { transferId?: unknown } | null)?.transferId;
  return inSpan(
    `${handlerName} ${event.type}`,
    {
      kind: SpanKind.CONSUMER,
      parent: traceOf(event) ?? null,
      attributes: {
        [attr.COMPONENT]: 'secondary handler',
        [attr.EVENT_ID]: event.id,
        ...(event.subject ? { [attr.STREAM_ID]: event.subject } : {}),
        ...(typeof transferId === 'string' ? { [attr.TRANSFER_ID]: transferId } : {}),
      },
    },
    async (span) => {
      // A throw fails the delivery (Event Grid retries it): counted, then passed on.
      const outcome = await handle().catch((error: unknown) => {
        measure.delivery(handlerName, 'failed');
        throw error;
      });
      span.setAttribute(attr.DELIVERY_OUTCOME, outcome);
      measure.delivery(handlerName, outcome);
    },
  );
}

app.eventGrid(APPROVALS_INBOX, {
  handler: async (event: unknown, context: InvocationContext) => {
    const parsed = parse(APPROVALS_INBOX, event, context);
    if (parsed)
      await delivered(APPROVALS_INBOX, parsed, () => handleInboxEvent(getStores().views, parsed, nowIso));
  },
});

app.eventGrid(AUDIT_LOG, {
  handler: async (event: unknown, context: InvocationContext) => {
    const parsed = parse(AUDIT_LOG, event, context);
    if (parsed) await delivered(AUDIT_LOG, parsed, () => recordAudit(getStores().views, parsed, nowIso));
  },
});
