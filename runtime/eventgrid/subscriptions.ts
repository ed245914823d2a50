/**
 * Event subscriptions of the local topic, read from `eventgrid.local.json` (see README.md): where
 * events go (a webhook URL or a function of the app), which events (type and subject filters), and
 * how hard to try (retry policy, dead-lettering).
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import type { CloudEventRecord } from './cloudEvents';

const retryPolicySchema = z
  .object({
    maxDeliveryAttempts: z.number().int().min(1).max(30).default(30),
    eventTimeToLiveInMinutes: z.number().int().min(1).max(1440).default(1440),
  })
  .strict();

export const subscriptionSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9-]{3,64}$/, 'names are 3-64 letters, digits or hyphens'),
    /** Topic name on this host; omitted: every topic. */
    topic: z.string().min(1).optional(),
    endpoint: z.url({ protocol: /^https?$/ }).optional(),
    functionName: z.string().min(1).optional(),
    includedEventTypes: z.array(z.string().min(1)).min(1).optional(),
    subjectBeginsWith: z.string().optional(),
    subjectEndsWith: z.string().optional(),
    isSubjectCaseSensitive: z.boolean().default(false),
    retryPolicy: retryPolicySchema.default({ maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 }),
    deadLetter: z.boolean().default(true),
  })
  .strict()
  .refine((s) => (s.endpoint === undefined) !== (s.functionName === undefined), {
    message: 'give exactly one of endpoint (a webhook URL) or functionName',
  });

export const subscriptionsFileSchema = z
  .object({
    $schema: z.string().optional(),
    subscriptions: z.array(subscriptionSchema),
  })
  .strict()
  .refine((f) => new Set(f.subscriptions.map((s) => s.name.toLowerCase())).size === f.subscriptions.length, {
    message: 'subscription names must be unique (case-insensitive)',
  });

export type Subscription = z.output<typeof subscriptionSchema>;
export type SubscriptionInput = z.input<typeof subscriptionSchema>;

export class SubscriptionConfigError extends Error {
  override readonly name = 'SubscriptionConfigError';
}

/** Validates a parsed subscriptions file; throws SubscriptionConfigError naming every problem. */
export function parseSubscriptions(value: unknown, origin = 'event subscriptions'): Subscription[] {
  const result = subscriptionsFileSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new SubscriptionConfigError(`${origin} is invalid: ${problems.join('; ')}`);
  }
  return result.data.subscriptions;
}

/** Reads the subscriptions file; a missing file means no subscriptions. */
export function loadSubscriptions(path: string): Subscription[] {
  if (!existsSync(path)) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new SubscriptionConfigError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  return parseSubscriptions(parsed, path);
}

/** Whether a subscription takes this event from this topic, by Event Grid's filter rules. */
export function matches(subscription: Subscription, topic: string, event: CloudEventRecord): boolean {
  if (subscription.topic !== undefined && subscription.topic.toLowerCase() !== topic.toLowerCase())
    return false;
  if (subscription.includedEventTypes) {
    const type = event.type.toLowerCase();
    if (!subscription.includedEventTypes.some((t) => t.toLowerCase() === type)) return false;
  }
  const fold = (s: string): string => (subscription.isSubjectCaseSensitive ? s : s.toLowerCase());
  const subject = fold(event.subject ?? '');
  if (subscription.subjectBeginsWith && !subject.startsWith(fold(subscription.subjectBeginsWith)))
    return false;
  if (subscription.subjectEndsWith && !subject.endsWith(fold(subscription.subjectEndsWith))) return false;
  return true;
}
