/**
 * Delivery of one event to one destination: a webhook (after the CloudEvents abuse-protection
 * handshake) or a function of the app, called directly as the Event Grid trigger extension does.
 */
import type { Invoker, AppRegistry } from '../contracts';
import type { CloudEventRecord } from './cloudEvents';
import { deliveryOutcome, NON_RETRIED_STATUS } from './retrySchedule';

export interface AttemptOutcome {
  ok: boolean;
  /** HTTP status of the destination's answer; null when there was none (connection refused, timeout). */
  httpStatus: number | null;
  /** Event Grid's `lastDeliveryOutcome` vocabulary. */
  outcome: string;
  /** False for failures Event Grid does not retry (400, 401, 403, 413). */
  retryable: boolean;
  detail?: string;
}

/** The origin Event Grid names in the abuse-protection handshake. */
export const WEBHOOK_REQUEST_ORIGIN = 'eventgrid.azure.net';
export const CLOUDEVENT_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';

/** How long one request may take, and a signal that aborts it when the service stops. */
export interface RequestLimits {
  timeoutMs: number;
  signal?: AbortSignal;
}

async function request(
  url: string,
  init: RequestInit,
  limits: RequestLimits,
): Promise<Response | { error: string; timedOut: boolean }> {
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  try {
    const signal = limits.signal ? AbortSignal.any([timeout, limits.signal]) : timeout;
    const response = await fetch(url, { ...init, redirect: 'manual', signal });
    // The body is not read for the outcome; drain it so the connection is released.
    await response.arrayBuffer().catch(() => undefined);
    return response;
  } catch (error) {
    const e = error as Error;
    const timedOut = timeout.aborted;
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return { error: cause?.code ?? cause?.message ?? e.message, timedOut };
  }
}

/** An attempt that got no HTTP answer (refused, reset, timed out): always worth retrying. */
function unanswered(failure: { error: string; timedOut: boolean }): AttemptOutcome {
  return {
    ok: false,
    httpStatus: null,
    outcome: failure.timedOut ? 'TimedOut' : 'GenericError',
    retryable: true,
    detail: failure.error,
  };
}

/**
 * The CloudEvents webhook validation: OPTIONS with `WebHook-Request-Origin`; the endpoint must answer
 * 200 and allow that origin (or `*`) in `WebHook-Allowed-Origin`.
 */
export async function validateWebhook(endpoint: string, limits: RequestLimits): Promise<AttemptOutcome> {
  const response = await request(
    endpoint,
    { method: 'OPTIONS', headers: { 'WebHook-Request-Origin': WEBHOOK_REQUEST_ORIGIN } },
    limits,
  );
  if (!(response instanceof Response)) return unanswered(response);
  const allowed = (response.headers.get('webhook-allowed-origin') ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase());
  if (response.status === 200 && (allowed.includes('*') || allowed.includes(WEBHOOK_REQUEST_ORIGIN))) {
    return { ok: true, httpStatus: 200, outcome: 'Succeeded', retryable: false };
  }
  return {
    ok: false,
    httpStatus: response.status,
    outcome: 'WebhookValidationFailed',
    retryable: true,
    detail: `validation handshake answered ${response.status} with WebHook-Allowed-Origin '${allowed.join(',')}'`,
  };
}

/** POSTs one event in structured mode, as Event Grid delivers CloudEvents. */
export async function deliverToWebhook(
  endpoint: string,
  event: CloudEventRecord,
  headers: { subscription: string; deliveryCount: number },
  limits: RequestLimits,
): Promise<AttemptOutcome> {
  const response = await request(
    endpoint,
    {
      method: 'POST',
      headers: {
        'Content-Type': CLOUDEVENT_CONTENT_TYPE,
        'aeg-event-type': 'Notification',
        'aeg-subscription-name': headers.subscription.toUpperCase(),
        'aeg-delivery-count': String(headers.deliveryCount),
        'aeg-metadata-version': '1',
        'WebHook-Request-Origin': WEBHOOK_REQUEST_ORIGIN,
      },
      body: JSON.stringify(event),
    },
    limits,
  );
  if (!(response instanceof Response)) return unanswered(response);
  const ok = response.status >= 200 && response.status <= 204;
  return {
    ok,
    httpStatus: response.status,
    outcome: deliveryOutcome(response.status),
    retryable: !NON_RETRIED_STATUS.has(response.status),
  };
}

/** Whether the app registered `name` as an Event Grid trigger function. */
export function isEventGridFunction(registry: AppRegistry, name: string): boolean {
  return registry.functions.get(name)?.trigger.type === 'eventGridTrigger';
}

/** Invokes an `app.eventGrid` function with one event, as the Functions host's Event Grid extension does. */
export async function deliverToFunction(
  invoke: Invoker,
  registry: AppRegistry,
  functionName: string,
  event: CloudEventRecord,
  invocationId?: string,
): Promise<AttemptOutcome> {
  if (!isEventGridFunction(registry, functionName)) {
    return {
      ok: false,
      httpStatus: 404,
      outcome: 'NotFound',
      retryable: true,
      detail: `no Event Grid trigger function '${functionName}'`,
    };
  }
  try {
    await invoke({ functionName, triggerData: { json: JSON.stringify(event) }, invocationId });
    return { ok: true, httpStatus: 200, outcome: 'Succeeded', retryable: false };
  } catch (error) {
    return {
      ok: false,
      httpStatus: 500,
      outcome: 'GenericError',
      retryable: true,
      detail: (error as Error).message,
    };
  }
}
