/**
 * `/runtime/webhooks/eventgrid?functionName=X`: the Functions host's Event Grid webhook, so an external
 * Event Grid subscription (or this host's own topic, as a webhook) can reach an `app.eventGrid`
 * function as in Azure. Answers the CloudEvents OPTIONS handshake and the Event Grid schema
 * SubscriptionValidation; invokes the function once per event; 202 when all succeeded.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppRegistry, Invoker } from '../contracts';
import { mediaType } from './cloudEvents';
import { isEventGridFunction } from './destinations';
import { readBody } from '../http/body';
import { sendJson } from '../http/json';
import { sendProblem } from '../http/problem';
import { MAX_PUBLISH_BYTES } from './httpReplies';

export const FUNCTION_WEBHOOK_PATH = '/runtime/webhooks/eventgrid';

export async function handleFunctionWebhook(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  app: { registry: AppRegistry; invoke: Invoker },
): Promise<void> {
  const functionName = url.searchParams.get('functionName');
  if (!functionName)
    return sendProblem(res, {
      status: 400,
      title: 'Bad Request',
      detail: "The query parameter 'functionName' is required.",
    });
  if (!isEventGridFunction(app.registry, functionName)) {
    return sendProblem(res, {
      status: 404,
      title: 'Not Found',
      detail: `No Event Grid trigger function named '${functionName}'.`,
    });
  }
  if (req.method === 'OPTIONS') {
    const origin = req.headers['webhook-request-origin'];
    if (typeof origin !== 'string' || origin.length === 0) {
      return sendProblem(res, {
        status: 400,
        title: 'Bad Request',
        detail: 'The validation handshake needs a WebHook-Request-Origin header.',
      });
    }
    res.writeHead(200, {
      'WebHook-Allowed-Origin': origin,
      'WebHook-Allowed-Rate': '*',
      Allow: 'OPTIONS, POST',
    });
    return void res.end();
  }
  if (req.method !== 'POST')
    return sendProblem(
      res,
      { status: 405, title: 'Method Not Allowed', detail: 'Use POST or OPTIONS.' },
      { Allow: 'OPTIONS, POST' },
    );

  const read = await readBody(req, MAX_PUBLISH_BYTES);
  if (read.tooLarge)
    return sendProblem(res, {
      status: 413,
      title: 'Payload Too Large',
      detail: `Deliveries are limited to ${MAX_PUBLISH_BYTES} bytes.`,
    });
  let payload: unknown;
  try {
    payload = JSON.parse(read.body.toString('utf8'));
  } catch {
    return sendProblem(res, { status: 400, title: 'Bad Request', detail: 'The body is not valid JSON.' });
  }
  const events = Array.isArray(payload) ? payload : [payload];
  if (events.length === 0 || events.some((e) => typeof e !== 'object' || e === null)) {
    return sendProblem(res, {
      status: 400,
      title: 'Bad Request',
      detail: 'The body must be an event object or a non-empty array of event objects.',
    });
  }

  const eventType = String(req.headers['aeg-event-type'] ?? '');
  if (eventType === 'SubscriptionValidation') {
    const code = (events[0] as { data?: { validationCode?: unknown } }).data?.validationCode;
    if (typeof code !== 'string')
      return sendProblem(res, {
        status: 400,
        title: 'Bad Request',
        detail: 'SubscriptionValidation without data.validationCode.',
      });
    return sendJson(res, 200, { validationResponse: code });
  }
  if (eventType !== 'Notification') {
    return sendProblem(res, {
      status: 400,
      title: 'Bad Request',
      detail: `Unsupported aeg-event-type '${eventType}'; expected Notification or SubscriptionValidation.`,
    });
  }
  const type = mediaType(req.headers['content-type']);
  if (
    type !== 'application/json' &&
    type !== 'application/cloudevents+json' &&
    type !== 'application/cloudevents-batch+json'
  ) {
    return sendProblem(res, {
      status: 415,
      title: 'Unsupported Media Type',
      detail: `Content-Type '${type}' is not an Event Grid delivery.`,
    });
  }
  for (const event of events) {
    try {
      await app.invoke({ functionName, triggerData: { json: JSON.stringify(event) } });
    } catch (error) {
      // As the Functions host does: a failed function is a 500, and Event Grid retries.
      return sendProblem(res, {
        status: 500,
        title: 'Function Failed',
        detail: `${functionName} failed: ${(error as Error).message}`,
      });
    }
  }
  res.writeHead(202, { 'Content-Length': 0 });
  res.end();
}
