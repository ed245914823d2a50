/**
 * Registers the transfer process's activities with the Functions app (import for the side effect).
 * Each activity obtains the event store from `getStores()`, so it runs unchanged on the local host
 * and in Azure.
 */
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { getStores } from '../stores';
import { eventPublisherFromSettings, type EventPublisher } from '../stores/eventPublisher';
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

let publisher: EventPublisher | null | undefined;
/** Event Grid when it is configured, else none (the reminder is then only logged). */
function reminderPublisher(): EventPublisher | null {
  if (publisher === undefined) publisher = process.env.EVENTGRID_TOPIC_ENDPOINT ? eventPublisherFromSettings() : null;
  return publisher;
}

df.app.activity(ACTIVITY.reserveFunds, { handler: (input: ReserveFundsInput) => reserveFunds(events(), input) });
df.app.activity(ACTIVITY.releaseFunds, { handler: (input: ReleaseFundsInput) => releaseFunds(events(), input) });
df.app.activity(ACTIVITY.creditDestination, { handler: (input: CreditDestinationInput) => creditDestination(events(), input) });
df.app.activity(ACTIVITY.requestApproval, { handler: (input: RequestApprovalInput) => requestApproval(events(), input) });
df.app.activity(ACTIVITY.recordDecision, {
  handler: (input: RecordDecisionInput) => recordDecision(events(), input),
});
df.app.activity(ACTIVITY.recordOutcome, { handler: (input: RecordOutcomeInput) => recordOutcome(events(), input) });
df.app.activity(ACTIVITY.sendReminder, {
  handler: (input: SendReminderInput, context: InvocationContext) => sendReminder(events(), reminderPublisher(), input, (m) => context.log(m)),
});
