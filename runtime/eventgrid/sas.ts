/**
 * Event Grid shared access signatures, as `@azure/eventgrid`'s `generateSharedAccessSignature` builds
 * them: `r={enc(resource?apiVersion=...)}&e={enc(M/d/yyyy h:mm:ss AM|PM, UTC)}&s={enc(base64 HMAC-SHA256)}`,
 * signed over `r=...&e=...` exactly as sent, with the base64-decoded topic key.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SasVerdict = { ok: true } | { ok: false; reason: string };

/** Parses the service time format ("6/5/2020 12:09:03 PM", UTC) into epoch ms; undefined when malformed. */
export function parseServiceTime(text: string): number | undefined {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2}):(\d{2}) (AM|PM)$/.exec(text.trim());
  if (!m) return undefined;
  const [, month, day, year, hour12, minute, second, half] = m;
  const h = Number(hour12);
  if (h < 1 || h > 12) return undefined;
  const hour = (h % 12) + (half === 'PM' ? 12 : 0);
  const at = Date.UTC(Number(year), Number(month) - 1, Number(day), hour, Number(minute), Number(second));
  const check = new Date(at);
  // Date.UTC rolls 2/31 over into March; a real token never carries such a date.
  if (check.getUTCDate() !== Number(day) || check.getUTCMonth() !== Number(month) - 1) return undefined;
  return Number.isNaN(at) ? undefined : at;
}

/** Formats epoch ms the way the SDK's `dateToServiceTimeString` does. */
export function formatServiceTime(at: number): string {
  const d = new Date(at);
  const h = d.getUTCHours();
  const hour12 = h % 12 === 0 ? 12 : h % 12;
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const ss = String(d.getUTCSeconds()).padStart(2, '0');
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${hour12}:${mm}:${ss} ${h >= 12 ? 'PM' : 'AM'}`;
}

function sign(key: string, unsigned: string): Buffer {
  return createHmac('sha256', Buffer.from(key, 'base64')).update(unsigned).digest();
}

/** Builds a token for `resource` (the topic endpoint URL), valid until `expiresAt`. */
export function createSasToken(
  resource: string,
  key: string,
  expiresAt: number,
  apiVersion = '2018-01-01',
): string {
  const unsigned = `r=${encodeURIComponent(`${resource}?apiVersion=${apiVersion}`)}&e=${encodeURIComponent(formatServiceTime(expiresAt))}`;
  return `${unsigned}&s=${encodeURIComponent(sign(key, unsigned).toString('base64'))}`;
}

function normalisePath(path: string): string {
  return path.replace(/\/+$/, '').toLowerCase();
}

/**
 * Checks a token against the topic keys: signature by any key, not expired at `now`, and issued for
 * this topic (the resource's path must be the request's path; hosts are not compared because the
 * local host answers to several names, 127.0.0.1 and localhost).
 */
export function verifySasToken(
  header: string,
  options: { keys: readonly string[]; requestPath: string; now: number },
): SasVerdict {
  const token = header.replace(/^SharedAccessSignature\s+/i, '').trim();
  const match = /^r=([^&]*)&e=([^&]*)&s=([^&]*)$/.exec(token);
  if (!match) return { ok: false, reason: 'The SAS token is malformed: expected r=...&e=...&s=...' };
  const [, rawResource, rawExpiry, rawSignature] = match;
  let resource: string;
  let expiry: string;
  let signature: Buffer;
  try {
    resource = decodeURIComponent(rawResource);
    expiry = decodeURIComponent(rawExpiry);
    signature = Buffer.from(decodeURIComponent(rawSignature), 'base64');
  } catch {
    return { ok: false, reason: 'The SAS token is malformed: bad percent-encoding.' };
  }
  const unsigned = `r=${rawResource}&e=${rawExpiry}`;
  const signedByAKey = options.keys.some((key) => {
    const expected = sign(key, unsigned);
    return expected.length === signature.length && timingSafeEqual(expected, signature);
  });
  if (!signedByAKey) return { ok: false, reason: 'The SAS token signature does not match any topic key.' };
  const expiresAt = parseServiceTime(expiry);
  if (expiresAt === undefined)
    return { ok: false, reason: `The SAS token expiry '${expiry}' is not a valid time.` };
  if (options.now >= expiresAt)
    return { ok: false, reason: `The SAS token expired at ${new Date(expiresAt).toISOString()}.` };
  let resourcePath: string;
  try {
    resourcePath = new URL(resource).pathname;
  } catch {
    return { ok: false, reason: `The SAS token resource '${resource}' is not a URL.` };
  }
  if (normalisePath(resourcePath) !== normalisePath(options.requestPath)) {
    return { ok: false, reason: `The SAS token was issued for '${resourcePath}', not for this topic.` };
  }
  return { ok: true };
}

/** Constant-time check of an `aeg-sas-key` header against the topic keys. */
export function matchesKey(presented: string, keys: readonly string[]): boolean {
  const given = Buffer.from(presented);
  return keys.some((key) => {
    const expected = Buffer.from(key);
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}
