/**
 * CloudEvents 1.0 (JSON format) as the local topic accepts them: the structured batch
 * (`application/cloudevents-batch+json`, a JSON array) the publisher client sends, or one structured
 * event (`application/cloudevents+json`).
 */

/** A CloudEvent as stored and delivered: the JSON object the publisher sent. */
export interface CloudEventRecord {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject?: string;
  time?: string;
  datacontenttype?: string;
  dataschema?: string;
  data?: unknown;
  data_base64?: string;
  [extension: string]: unknown;
}

export type BatchVerdict =
  { ok: true; events: CloudEventRecord[] } | { ok: false; code: string; message: string };

const BATCH_TYPE = 'application/cloudevents-batch+json';
const SINGLE_TYPE = 'application/cloudevents+json';
const ATTRIBUTE_NAME = /^[a-z0-9]{1,20}$/;
// RFC 3339 date-time; Date.parse alone accepts looser forms.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const STRING_ATTRIBUTES = ['subject', 'datacontenttype', 'dataschema', 'data_base64'] as const;

/** The media type of a Content-Type header, lower-cased, without parameters. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/** Checks one event; returns why it is invalid, or undefined. `at` names it in the message. */
export function cloudEventProblem(value: unknown, at: string): { code: string; message: string } | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { code: 'InputJsonInvalid', message: `${at} is not a JSON object.` };
  }
  const event = value as Record<string, unknown>;
  for (const name of ['specversion', 'id', 'source', 'type'] as const) {
    if (typeof event[name] !== 'string' || (event[name] as string).length === 0) {
      return {
        code: 'MissingRequiredProperty',
        message: `${at}: required attribute '${name}' is missing or not a non-empty string.`,
      };
    }
  }
  if (event.specversion !== '1.0') {
    return {
      code: 'InvalidSpecVersion',
      message: `${at}: specversion '${String(event.specversion)}' is not supported; use '1.0'.`,
    };
  }
  for (const name of STRING_ATTRIBUTES) {
    if (event[name] !== undefined && typeof event[name] !== 'string') {
      return { code: 'InvalidPropertyValue', message: `${at}: attribute '${name}' must be a string.` };
    }
  }
  if (
    event.time !== undefined &&
    (typeof event.time !== 'string' || !RFC3339.test(event.time) || Number.isNaN(Date.parse(event.time)))
  ) {
    return {
      code: 'InvalidPropertyValue',
      message: `${at}: attribute 'time' must be an RFC 3339 timestamp.`,
    };
  }
  if (event.data !== undefined && event.data_base64 !== undefined) {
    return {
      code: 'InvalidPropertyValue',
      message: `${at}: 'data' and 'data_base64' are mutually exclusive.`,
    };
  }
  for (const name of Object.keys(event)) {
    if (name !== 'data_base64' && !ATTRIBUTE_NAME.test(name)) {
      return {
        code: 'InvalidPropertyName',
        message: `${at}: attribute name '${name}' is invalid; CloudEvents attribute names are 1-20 lower-case letters or digits.`,
      };
    }
  }
  return undefined;
}

/** Parses and validates a publish request body given its Content-Type. */
export function parseCloudEventBatch(contentType: string | undefined, body: Buffer): BatchVerdict {
  const type = mediaType(contentType);
  if (type !== BATCH_TYPE && type !== SINGLE_TYPE) {
    return {
      ok: false,
      code: 'InvalidContentType',
      message: `Content-Type '${contentType ?? ''}' is not accepted; this topic takes CloudEvents: '${BATCH_TYPE}' or '${SINGLE_TYPE}'.`,
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return {
      ok: false,
      code: 'InputJsonInvalid',
      message: `The request body is not valid JSON: ${(error as Error).message}`,
    };
  }
  if (type === BATCH_TYPE && !Array.isArray(parsed)) {
    return {
      ok: false,
      code: 'InputJsonInvalid',
      message: `A '${BATCH_TYPE}' body must be a JSON array of events.`,
    };
  }
  const items = type === BATCH_TYPE ? (parsed as unknown[]) : [parsed];
  if (items.length === 0)
    return { ok: false, code: 'InputJsonInvalid', message: 'The batch contains no events.' };
  for (let i = 0; i < items.length; i++) {
    const problem = cloudEventProblem(items[i], type === BATCH_TYPE ? `Event at index ${i}` : 'The event');
    if (problem) return { ok: false, ...problem };
  }
  return { ok: true, events: items as CloudEventRecord[] };
}
