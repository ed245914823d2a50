/**
 * Browser sessions of the local Easy Auth: a cookie named as App Service names its own
 * (`AppServiceAuthSession`), HttpOnly and SameSite=Lax, whose value is the user id and an expiry
 * signed with a secret of this host process (a restart signs everybody out).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'AppServiceAuthSession';
const SESSION_HOURS = 8;

export class SessionSigner {
  constructor(
    private readonly secret: Buffer = randomBytes(32),
    private readonly now: () => number = Date.now,
  ) {}

  /** The `Set-Cookie` value that signs `userId` in. */
  signIn(userId: string, secure: boolean): string {
    const expires = this.now() + SESSION_HOURS * 3_600_000;
    const payload = `${userId}.${expires}`;
    const value = `${payload}.${this.sign(payload)}`;
    return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${SESSION_HOURS * 3600}${secure ? '; Secure' : ''}`;
  }

  /** The `Set-Cookie` value that signs out. */
  signOut(): string {
    return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
  }

  /** The user id of a valid, unexpired session cookie in `cookieHeader`, else undefined. */
  userOf(cookieHeader: string | undefined): string | undefined {
    const value = readCookie(cookieHeader, SESSION_COOKIE);
    const match = value && /^([a-z0-9-]+)\.(\d+)\.([A-Za-z0-9_-]+)$/.exec(value);
    if (!match) return undefined;
    const [, userId, expires, signature] = match;
    const expected = Buffer.from(this.sign(`${userId}.${expires}`));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return Number(expires) > this.now() ? userId : undefined;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}
