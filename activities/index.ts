/**
 * Registers the transfer process's activities with the Functions app (import for the side effect).
 * Each activity obtains the event store from `getStores()`, so it runs unchanged on the local host
 * and in Azure.
 */
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { getStores } from '../stores';
import { appEventPublisher } from '../stores/appEventPublisher';
import type { EventPublisher } from '../stores/eventPublisher';
import {
  ACTIVITY,
  type CreditDestinationInput,
  type RecordDecisionInput,
  type RecordOutcomeInput,
  type ReleaseFundsInput,
  type RequestApprovalInput,
  type ReserveFundsInput,
  type SendReminderInput,
} from './contracts';
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

df.app.activity(ACTIVITY.reserveFunds, {
  handler: (input: ReserveFundsInput) => reserveFunds(events(), input),
});
df.app.activity(ACTIVITY.releaseFunds, {
  handler: (input: ReleaseFundsInput) => releaseFunds(events(), input),
});
df.app.activity(ACTIVITY.creditDestination, {
  handler: (input: CreditDestinationInput) => creditDestination(events(), input),
});
df.app.activity(ACTIVITY.requestApproval, {
  handler: (input: RequestApprovalInput) => requestApproval(events(), input),
});
df.app.activity(ACTIVITY.recordDecision, {
  handler: (input: RecordDecisionInput) => recordDecision(events(), input),
});
df.app.activity(ACTIVITY.recordOutcome, {
  handler: (input: RecordOutcomeInput) => recordOutcome(events(), input),
});
df.app.activity(ACTIVITY.sendReminder, {
  handler: (input: SendReminderInput, context: InvocationContext) => {
    const log = (message: string) => context.log(message);
    return sendReminder(events(), reminderPublisher(log), input, log);
  },
});
