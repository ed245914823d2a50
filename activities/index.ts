/**
 * Registers the transfer process's activities with the Functions app (import for the side effect).
 * Each activity obtains the event store from `getStores()`, so it runs unchanged on the local host
 * and in Azure.
 */
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { getStores } from '../stores';
import { attr, inSpan, SpanKind, traceOf } from '../telemetry';
import { appEventPublisher } from '../stores/appEventPublisher';
import type { EventPublisher } from '../stores/eventPublisher';
import { ACTIVITY, type ActivityInput, type ActivityKey, type ActivityResult } from './contracts';
import { creditDestination } from './creditDestination';
import { recordDecision } from './recordDecision';
import { recordOutcome } from './recordOutcome';
import { releaseFunds } from './releaseFunds';
import { requestApproval } from './requestApproval';
import { reserveFunds } from './reserveFunds';
import { sendReminder } from './sendReminder';

const events = () => getStores().events;

/** The app's Event Grid topic (settings, or the local host's own topic); none when there is neither: the reminder is then only logged. */
function reminderPublisher(log: (message: string) => void): EventPublisher | null {
  try {
    return appEventPublisher();
  } catch (error) {
    log(`approval reminders are not published: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}

/**
 * Registers one activity under its contract's name, with the contract's input and result types; it
 * runs in a span continuing the process's trace (a business refusal is an outcome, a throw an error).
 */
function register<K extends ActivityKey>(
  key: K,
  handler: (input: ActivityInput<K>, context: InvocationContext) => Promise<ActivityResult<K>>,
): void {
  df.app.activity(ACTIVITY[key], {
    handler: (input: ActivityInput<K>, context: InvocationContext) =>
      inSpan(
        `activity ${ACTIVITY[key]}`,
        {
          kind: SpanKind.INTERNAL,
          parent: traceOf(input.trace) ?? null,
          attributes: {
            [attr.COMPONENT]: 'activity',
            [attr.ACTIVITY]: ACTIVITY[key],
            [attr.TRANSFER_ID]: input.transferId,
            [attr.INVOCATION_ID]: context.invocationId,
          },
        },
        async (span) => {
          const result = await handler(input, context);
          const refused = (result as { ok?: unknown; reason?: unknown } | undefined)?.ok === false;
          if (refused)
            span.setAttribute(attr.ACTIVITY_REFUSAL, String((result as { reason?: unknown }).reason));
          return result;
        },
      ),
  });
}

register('reserveFunds', (input) => reserveFunds(events(), input));
register('releaseFunds', (input) => releaseFunds(events(), input));
register('creditDestination', (input) => creditDestination(events(), input));
register('requestApproval', (input) => requestApproval(events(), input));
register('recordDecision', (input) => recordDecision(events(), input));
register('recordOutcome', (input) => recordOutcome(events(), input));
register('sendReminder', (input, context) => {
  const log = (message: string) => context.log(message);
  return sendReminder(events(), reminderPublisher(log), input, log);
});
