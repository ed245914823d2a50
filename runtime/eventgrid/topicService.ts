/**
 * The local Event Grid topic, a HostService. Publishers (the real `EventGridPublisherClient`) POST
 * CloudEvents to `{baseUrl}/runtime/eventgrid/topics/{topic}/api/events?api-version=2018-01-01`
 * (the `/api/events` suffix is optional); accepted events are stored in SQLite before the 200, then
 * delivered one per request to the subscriptions of `eventgrid.local.json` with Event Grid's retry
 * schedule on `ctx.clock`, and dead-lettered with Event Grid's fields. See README.md.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { HostContext, HostService } from '../contracts';
import { parseCloudEventBatch } from './cloudEvents';
import {
  deliverToFunction,
  deliverToWebhook,
  isEventGridFunction,
  validateWebhook,
  type AttemptOutcome,
} from './destinations';
import { DeliveryStore, type AttemptResult, type DeliveryRow } from './deliveryStore';
import { readBody } from '../http/body';
import { sendJson } from '../http/json';
import { sendProblem } from '../http/problem';
import { createHostRouter, type HostRequest } from '../http/router';
import { FUNCTION_WEBHOOK_PATH, handleFunctionWebhook } from './functionWebhook';
import { MAX_PUBLISH_BYTES, sendEventGridError } from './httpReplies';
import { retryDelay, undeliverableReason } from './retrySchedule';
import { matchesKey, verifySasToken } from './sas';
import {
  loadSubscriptions,
  matches,
  parseSubscriptions,
  type Subscription,
  type SubscriptionInput,
} from './subscriptions';

export const EVENTGRID_ROUTE_PREFIX = '/runtime/eventgrid';
/** The key the topic takes when EVENTGRID_TOPIC_KEY is not set (the one in local.settings.example.json). */
export const DEFAULT_LOCAL_TOPIC_KEY = 'local-dev-key';
export const DEFAULT_SUBSCRIPTIONS_FILE = 'eventgrid.local.json';

const TOPIC = '{topic:length(3,50):regex(^[A-Za-z0-9-]+$)}';

export interface EventGridTopicOptions {
  /** Subscriptions given directly (tests); otherwise read from the subscriptions file. */
  subscriptions?: SubscriptionInput[];
  /** Default: setting EVENTGRID_SUBSCRIPTIONS_FILE, else `eventgrid.local.json` in the app root. */
  subscriptionsFile?: string;
  /** Default: settings EVENTGRID_TOPIC_KEY and EVENTGRID_TOPIC_KEY2, else DEFAULT_LOCAL_TOPIC_KEY. */
  keys?: string[];
  /** Jitter source, [0, 1). */
  random?: () => number;
  /** How long a destination may take to answer (real time: it is I/O). Event Grid waits 30 s. */
  deliveryTimeoutMs?: number;
  maxConcurrentDeliveries?: number;
}

/** A dead letter as listed by `GET /runtime/eventgrid/deadletters`. */
export interface DeadLetterRecord {
  id: number;
  subscriptionName: string;
  topic: string;
  deadLetterReason: string;
  deliveryAttempts: number;
  lastDeliveryOutcome: string | null;
  lastHttpStatusCode: number | null;
  publishTime: string;
  lastDeliveryAttemptTime: string | null;
  event: DeliveryRow['event'];
}

function iso(at: number | null): string | null {
  return at === null ? null : new Date(at).toISOString();
}

export function toDeadLetterRecord(row: DeliveryRow): DeadLetterRecord {
  return {
    id: row.id,
    subscriptionName: row.subscription,
    topic: row.topic,
    deadLetterReason: row.deadLetterReason ?? 'Unknown',
    deliveryAttempts: row.attempts,
    lastDeliveryOutcome: row.lastOutcome,
    lastHttpStatusCode: row.lastHttpStatus,
    publishTime: new Date(row.publishTime).toISOString(),
    lastDeliveryAttemptTime: iso(row.lastAttemptAt),
    event: row.event,
  };
}

export class EventGridTopicService implements HostService {
  readonly name = 'eventgrid';
  private ctx?: HostContext;
  private store?: DeliveryStore;
  private keys: string[] = [];
  private subscriptions = new Map<string, Subscription>();
  private readonly inFlight = new Map<number, Promise<void>>();
  private timer?: { at: number; cancel: () => void };
  private stopping = new AbortController();
  private running = false;
  /** The key this service put into EVENTGRID_TOPIC_KEY, withdrawn again on stop. */
  private generatedKey?: string;
  private readonly router = createHostRouter([
    {
      // The function webhook checks its query and method itself, in Azure's order.
      base: FUNCTION_WEBHOOK_PATH,
      routes: [
        {
          method: '*',
          path: '',
          handle: ({ req, res, url }) => handleFunctionWebhook(req, res, url, this.app()),
        },
      ],
    },
    {
      base: EVENTGRID_ROUTE_PREFIX,
      routes: [
        { method: 'POST', path: `topics/${TOPIC}`, handle: (r) => this.publish(r) },
        { method: 'POST', path: `topics/${TOPIC}/api/events`, handle: (r) => this.publish(r) },
        { method: 'GET', path: 'deadletters', handle: (r) => this.listDeadLetters(r) },
        {
          method: 'POST',
          path: 'deadletters/{id:regex(^\\d+$)}/redeliver',
          handle: (r) => this.redeliver(r),
        },
        {
          method: 'GET',
          path: 'subscriptions',
          handle: ({ res }) => sendJson(res, 200, { value: [...this.subscriptions.values()] }),
        },
      ],
      notFound: ({ res, url }) =>
        sendProblem(res, {
          status: 404,
          title: 'Not Found',
          detail: `No local Event Grid route ${url.pathname}.`,
        }),
      methodNotAllowed: ({ res }, allow) =>
        sendProblem(
          res,
          { status: 405, title: 'Method Not Allowed', detail: `Use ${allow.join(', ')}.` },
          { Allow: allow.join(', ') },
        ),
    },
  ]);

  constructor(private readonly options: EventGridTopicOptions = {}) {}

  start(ctx: HostContext): void {
    this.ctx = ctx;
    this.store = new DeliveryStore(ctx.db);
    this.keys =
      this.options.keys ??
      [ctx.settings.EVENTGRID_TOPIC_KEY, ctx.settings.EVENTGRID_TOPIC_KEY2].filter((k): k is string => !!k);
    if (this.keys.length === 0 && ctx.devMode) {
      ctx.log.info(
        `eventgrid: EVENTGRID_TOPIC_KEY is not set; the local topic takes the development key '${DEFAULT_LOCAL_TOPIC_KEY}'`,
      );
      this.keys = [DEFAULT_LOCAL_TOPIC_KEY];
    } else if (this.keys.length === 0) {
      // Outside development mode no well-known key opens the topic: a fresh one, for this run only,
      // handed to the app in this process through the setting it reads.
      const key = randomBytes(32).toString('base64url');
      this.keys = [key];
      if (process.env.EVENTGRID_TOPIC_KEY === undefined) {
        process.env.EVENTGRID_TOPIC_KEY = key;
        this.generatedKey = key;
      }
      ctx.log.info(
        'eventgrid: EVENTGRID_TOPIC_KEY is not set and keys are configured; the topic takes a key generated for this run',
      );
    }
    const list = this.options.subscriptions
      ? parseSubscriptions({ subscriptions: this.options.subscriptions })
      : loadSubscriptions(this.subscriptionsFile(ctx));
    this.subscriptions = new Map(list.map((s) => [s.name, s]));
    for (const s of list) {
      if (s.functionName && !isEventGridFunction(ctx.registry, s.functionName)) {
        ctx.log.warn(
          `eventgrid: subscription '${s.name}' names '${s.functionName}', which is not an Event Grid trigger function of the app`,
        );
      }
    }
    this.stopping = new AbortController();
    this.running = true;
    ctx.log.info(
      `eventgrid: local topic at ${ctx.baseUrl}${EVENTGRID_ROUTE_PREFIX}/topics/{topic}/api/events, ${list.length} subscription(s)`,
    );
    this.pump();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
    this.stopping.abort();
    await Promise.allSettled([...this.inFlight.values()]);
    if (this.generatedKey !== undefined && process.env.EVENTGRID_TOPIC_KEY === this.generatedKey)
      delete process.env.EVENTGRID_TOPIC_KEY;
    this.generatedKey = undefined;
  }

  isIdle(): boolean {
    if (!this.store || !this.ctx) return true;
    return this.inFlight.size === 0 && this.store.countDue(this.ctx.clock.now()) === 0;
  }

  /** When the next pending delivery falls due (epoch ms by ctx.clock), if any; for tests and diagnostics. */
  nextDueAt(): number | undefined {
    return this.store?.nextDue();
  }

  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    return this.router.handle(req, res, url);
  }

  private subscriptionsFile(ctx: HostContext): string {
    return (
      this.options.subscriptionsFile ??
      ctx.settings.EVENTGRID_SUBSCRIPTIONS_FILE ??
      join(ctx.registry.appRoot, DEFAULT_SUBSCRIPTIONS_FILE)
    );
  }

  private app(): HostContext {
    if (!this.ctx) throw new Error('the eventgrid service is not started');
    return this.ctx;
  }

  private deliveries(): DeliveryStore {
    if (!this.store) throw new Error('the eventgrid service is not started');
    return this.store;
  }

  /** Authenticates, validates and stores a publish request; answers 200 only once the batch is stored. */
  private async publish({ req, res, url, params }: HostRequest): Promise<void> {
    const ctx = this.app();
    const topic = params.topic;
    const key = req.headers['aeg-sas-key'];
    const token = req.headers['aeg-sas-token'];
    if (typeof key === 'string') {
      if (!matchesKey(key, this.keys)) {
        return sendEventGridError(
          res,
          401,
          'Unauthorized',
          'The request authorization key is not authorized for this topic.',
        );
      }
    } else if (typeof token === 'string') {
      const verdict = verifySasToken(token, {
        keys: this.keys,
        requestPath: url.pathname,
        now: ctx.clock.now(),
      });
      if (!verdict.ok) return sendEventGridError(res, 401, 'Unauthorized', verdict.reason);
    } else {
      return sendEventGridError(
        res,
        401,
        'Unauthorized',
        'The request has neither an aeg-sas-key nor an aeg-sas-token header.',
      );
    }
    if (!url.searchParams.get('api-version')) {
      return sendEventGridError(
        res,
        400,
        'BadRequest',
        "The query parameter 'api-version' is required.",
        'MissingApiVersion',
      );
    }
    const read = await readBody(req, MAX_PUBLISH_BYTES);
    if (read.tooLarge) {
      return sendEventGridError(
        res,
        413,
        'RequestEntityTooLarge',
        `The batch exceeds the limit of ${MAX_PUBLISH_BYTES} bytes.`,
      );
    }
    const batch = parseCloudEventBatch(req.headers['content-type'], read.body);
    if (!batch.ok) return sendEventGridError(res, 400, 'BadRequest', batch.message, batch.code);

    const subscriptions = [...this.subscriptions.values()];
    const now = ctx.clock.now();
    this.deliveries().accept(
      topic,
      batch.events,
      (event) => subscriptions.filter((s) => matches(s, topic, event)).map((s) => s.name),
      now,
    );
    res.writeHead(200, { 'Content-Length': 0 });
    res.end();
    this.pump();
  }

  private listDeadLetters({ res, url }: HostRequest): void {
    const subscription = url.searchParams.get('subscription') ?? undefined;
    sendJson(res, 200, {
      value: this.deliveries().list({ status: 'deadlettered', subscription }).map(toDeadLetterRecord),
    });
  }

  private redeliver({ res, params }: HostRequest): void {
    const id = Number(params.id);
    const store = this.deliveries();
    const row = store.get(id);
    if (!row) return sendProblem(res, { status: 404, title: 'Not Found', detail: `No delivery ${id}.` });
    if (!store.redeliver(id, this.app().clock.now())) {
      return sendProblem(res, {
        status: 409,
        title: 'Conflict',
        detail: `Delivery ${id} is ${row.status}, not dead-lettered.`,
      });
    }
    this.app().log.info(
      `eventgrid: redelivering dead letter ${id} (event ${row.event.id}) to ${row.subscription}`,
    );
    sendJson(res, 202, { id, status: 'pending', subscriptionName: row.subscription, eventId: row.event.id });
    this.pump();
  }

  /** Starts every due delivery (up to the concurrency limit) and arms the clock for the next one. */
  private pump(): void {
    if (!this.running || !this.store || !this.ctx) return;
    const max = this.options.maxConcurrentDeliveries ?? 16;
    const now = this.ctx.clock.now();
    if (this.inFlight.size < max) {
      for (const id of this.store.dueIds(now, max + this.inFlight.size)) {
        if (this.inFlight.size >= max) break;
        const row = this.inFlight.has(id) ? undefined : this.store.get(id);
        if (!row) continue;
        const attempt = this.attempt(row)
          .catch((error: Error) =>
            this.ctx?.log.error(`eventgrid: delivery ${id} failed unexpectedly: ${error.message}`),
          )
          .finally(() => {
            this.inFlight.delete(id);
            this.pump();
          });
        this.inFlight.set(id, attempt);
      }
    }
    this.arm(this.store.nextDueAfter(now));
  }

  private arm(at: number | undefined): void {
    if (this.timer && (at === undefined || this.timer.at > at)) {
      this.timer.cancel();
      this.timer = undefined;
    }
    if (at === undefined || this.timer || !this.ctx) return;
    const timer = {
      at,
      cancel: this.ctx.clock.schedule(at, () => {
        if (this.timer === timer) this.timer = undefined;
        this.pump();
      }),
    };
    this.timer = timer;
  }

  private async attempt(row: DeliveryRow): Promise<void> {
    const ctx = this.app();
    const store = this.deliveries();
    const subscription = this.subscriptions.get(row.subscription);
    if (!subscription) {
      ctx.log.warn(
        `eventgrid: dropping delivery ${row.id}: subscription '${row.subscription}' is no longer configured`,
      );
      return store.expire(row.id, 'dropped', 'SubscriptionNotFound');
    }
    const ttlEnd = row.ttlFrom + subscription.retryPolicy.eventTimeToLiveInMinutes * 60_000;
    if (ctx.clock.now() >= ttlEnd) return this.finish(row, subscription, 'TimeToLiveExceeded');

    const outcome = await this.send(subscription, row);
    if (!this.running) return; // stopped mid-attempt: the delivery stays due and runs again after a restart
    const at = ctx.clock.now();
    const result = this.judge(subscription, row, outcome, at, ttlEnd);
    store.recordAttempt(row.id, result);
    if (result.kind === 'deadlettered' || result.kind === 'dropped') {
      ctx.log.warn(
        `eventgrid: event ${row.event.id} ${result.kind} for ${subscription.name}: ${result.reason} after ${row.attempts + 1} attempt(s), last ${outcome.outcome}${outcome.detail ? ` (${outcome.detail})` : ''}`,
      );
    }
  }

  private async send(subscription: Subscription, row: DeliveryRow): Promise<AttemptOutcome> {
    const ctx = this.app();
    const limits = { timeoutMs: this.options.deliveryTimeoutMs ?? 30_000, signal: this.stopping.signal };
    if (subscription.functionName) {
      return deliverToFunction(
        ctx.invoke,
        ctx.registry,
        subscription.functionName,
        row.event,
        `eventgrid-${row.id}-${row.attempts + 1}`,
      );
    }
    const endpoint = subscription.endpoint as string;
    const store = this.deliveries();
    // A webhook is outside the process: it hears of the event only once the event is on disk.
    await ctx.durable();
    if (!store.isValidated(subscription.name, endpoint)) {
      const validation = await validateWebhook(endpoint, limits);
      if (!validation.ok) return validation;
      store.markValidated(subscription.name, endpoint, ctx.clock.now());
    }
    return deliverToWebhook(
      endpoint,
      row.event,
      { subscription: subscription.name, deliveryCount: row.attempts },
      limits,
    );
  }

  /** Event Grid's decision after an attempt: done, retry on the schedule, or dead-letter (drop when dead-lettering is off). */
  private judge(
    subscription: Subscription,
    row: DeliveryRow,
    outcome: AttemptOutcome,
    at: number,
    ttlEnd: number,
  ): AttemptResult {
    const base = { outcome: outcome.outcome, httpStatus: outcome.httpStatus, at };
    const terminal = subscription.deadLetter ? ('deadlettered' as const) : ('dropped' as const);
    if (outcome.ok) return { kind: 'delivered', ...base };
    if (!outcome.retryable)
      return { kind: terminal, ...base, reason: undeliverableReason(outcome.httpStatus ?? 0) };
    const attempts = row.attempts + 1;
    if (attempts >= subscription.retryPolicy.maxDeliveryAttempts)
      return { kind: terminal, ...base, reason: 'MaxDeliveryAttemptsExceeded' };
    // A retry that would fall after the time to live waits only until then, and is expired at that moment.
    const nextAttemptAt = Math.min(at + retryDelay(attempts, this.options.random), ttlEnd);
    return { kind: 'retry', ...base, nextAttemptAt };
  }

  private finish(row: DeliveryRow, subscription: Subscription, reason: string): void {
    this.deliveries().expire(row.id, subscription.deadLetter ? 'deadlettered' : 'dropped', reason);
    this.app().log.warn(
      `eventgrid: event ${row.event.id} ${subscription.deadLetter ? 'dead-lettered' : 'dropped'} for ${subscription.name}: ${reason}`,
    );
  }
}
