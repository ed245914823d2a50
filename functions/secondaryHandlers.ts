/**
 * The secondary handlers Event Grid delivers to (docs/architecture.md, Event Grid): the approvals inbox and the audit
 * log. A handler that throws fails the delivery, and Event Grid retries it; both are idempotent on
 * the event id.
 */
import { app, type InvocationContext } from '@azure/functions';
import { getStores } from '../stores';
import { nowIso } from './clock';
import { CardflowCloudEventSchema } from './secondary/cloudEvent';
import { handleInboxEvent } from './secondary/handleInboxEvent';
import { recordAudit } from './secondary/recordAudit';

export const APPROVALS_INBOX = 'approvalsInbox';
export const AUDIT_LOG = 'auditLog';

function parse(event: unknown, context: InvocationContext) {
  const parsed = CardflowCloudEventSchema.safeParse(event);
  // Not ours (or malformed): retrying cannot help, so it is logged and acknowledged.
  if (!parsed.success)
    context.warn(`ignored an event that is not a Cardflow CloudEvent: ${parsed.error.message}`);
  return parsed.success ? parsed.data : undefined;
}

app.eventGrid(APPROVALS_INBOX, {
  handler: async (event: unknown, context: InvocationContext) => {
    const parsed = parse(event, context);
    if (parsed) await handleInboxEvent(getStores().views, parsed, nowIso);
  },
});

app.eventGrid(AUDIT_LOG, {
  handler: async (event: unknown, context: InvocationContext) => {
    const parsed = parse(event, context);
    if (parsed) await recordAudit(getStores().views, parsed, nowIso);
  },
});
