import type { IncomingMessage } from 'node:http';
import { EasyAuth } from './easyAuth';
import { CLAIM, principalHeaders } from './principal';
import { sameOriginPath } from './redirect';
import { SESSION_COOKIE, SessionSigner } from './session';
import { parseUsers, UsersFileError, type LocalUser } from './users';

const alice: LocalUser = {
  id: 'alice',
  name: 'Alice Adams',
  roles: ['customer'],
  token: 'alice-token-0123456789',
};
const otto: LocalUser = {
  id: 'otto',
  name: 'Otto Operator',
  roles: ['operator', 'approver'],
  token: 'otto-token-0123456789',
};
const users = { users: [alice, otto], file: 'auth.local.json', example: false };

function request(headers: Record<string, string>): IncomingMessage {
  return { headers: { ...headers } } as unknown as IncomingMessage;
}

function decode(header: string | string[] | undefined): {
  auth_typ: string;
  role_typ: string;
  claims: Array<{ typ: string; val: string }>;
} {
  return JSON.parse(Buffer.from(String(header), 'base64').toString('utf8'));
}

describe('the users file', () => {
  it('reads users with ids, names, roles and tokens', () => {
    expect(parseUsers(JSON.stringify({ users: [alice, otto] }), 'f.json')).toEqual([alice, otto]);
  });

  it.each([
    ['not JSON', '{', /not valid JSON/],
    ['no users', '{"users":[]}', /users/],
    ['a duplicate id', JSON.stringify({ users: [alice, { ...otto, id: 'alice' }] }), /ids must be unique/],
    [
      'a duplicate token',
      JSON.stringify({ users: [alice, { ...otto, token: alice.token }] }),
      /tokens must be unique/,
    ],
    ['a short token', JSON.stringify({ users: [{ ...alice, token: 'short' }] }), /at least 16/],
    ['a bad id', JSON.stringify({ users: [{ ...alice, id: 'Alice Adams' }] }), /user id/],
  ])('refuses %s, naming the file', (_case, text, message) => {
    expect(() => parseUsers(text, 'auth.local.json')).toThrow(UsersFileError);
    expect(() => parseUsers(text, 'auth.local.json')).toThrow(message);
  });
});

describe('the principal', () => {
  it('is base64 JSON in the App Service shape, with Entra ID claims and one claim per role', () => {
    const headers = principalHeaders(otto);
    const principal = decode(headers['x-ms-client-principal']);
    expect(principal.auth_typ).toBe('aad');
    expect(principal.role_typ).toBe(CLAIM.roleType);
    expect(principal.claims).toEqual(
      expect.arrayContaining([
        { typ: CLAIM.objectId, val: 'otto' },
        { typ: 'name', val: 'Otto Operator' },
        { typ: 'roles', val: 'operator' },
        { typ: 'roles', val: 'approver' },
      ]),
    );
    expect(headers['x-ms-client-principal-id']).toBe('otto');
    expect(headers['x-ms-client-principal-name']).toBe('Otto Operator');
    expect(headers['x-ms-client-principal-idp']).toBe('aad');
  });
});

describe('authenticate', () => {
  const forged = Buffer.from(
    JSON.stringify({ auth_typ: 'aad', claims: [{ typ: 'roles', val: 'operator' }] }),
  ).toString('base64');

  it('strips principal headers a client sends', () => {
    const req = request({
      'x-ms-client-principal': forged,
      'x-ms-client-principal-id': 'otto',
      'x-ms-client-principal-name': 'x',
      'x-ms-client-principal-idp': 'aad',
    });
    expect(new EasyAuth(users).authenticate(req)).toEqual({ ok: true, user: undefined });
    expect(Object.keys(req.headers).filter((h) => h.startsWith('x-ms-client-principal'))).toEqual([]);
  });

  it('replaces forged headers with the bearer token owner', () => {
    const req = request({
      authorization: `Bearer ${alice.token}`,
      'x-ms-client-principal': forged,
      'x-ms-client-principal-id': 'otto',
    });
    expect(new EasyAuth(users).authenticate(req)).toEqual({ ok: true, user: alice });
    expect(req.headers['x-ms-client-principal-id']).toBe('alice');
    expect(decode(req.headers['x-ms-client-principal']).claims).toContainEqual({
      typ: 'roles',
      val: 'customer',
    });
  });

  it('refuses a bearer token that names nobody', () => {
    const req = request({
      authorization: 'Bearer nobody-has-this-token',
      'x-ms-client-principal-id': 'otto',
    });
    expect(new EasyAuth(users).authenticate(req)).toMatchObject({ ok: false, status: 401 });
    expect(req.headers['x-ms-client-principal-id']).toBeUndefined();
  });

  it('signs a browser in with the session cookie, and not with a tampered one', () => {
    const signer = new SessionSigner();
    const auth = new EasyAuth(users, signer);
    const cookie = signer.signIn('otto', false).split(';')[0];
    expect(auth.authenticate(request({ cookie }))).toEqual({ ok: true, user: otto });
    const tampered = cookie.replace('otto.', 'alice.');
    expect(auth.authenticate(request({ cookie: tampered }))).toEqual({ ok: true, user: undefined });
    const otherHost = new SessionSigner();
    expect(new EasyAuth(users, otherHost).authenticate(request({ cookie }))).toEqual({
      ok: true,
      user: undefined,
    });
  });
});

describe('the session cookie', () => {
  it('is HttpOnly, SameSite and expires', () => {
    let now = 1_000_000;
    const signer = new SessionSigner(undefined, () => now);
    const header = signer.signIn('alice', true);
    expect(header).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
    expect(header).toContain('HttpOnly');
    expect(header).toContain('SameSite=Lax');
    expect(header).toContain('Secure');
    const cookie = header.split(';')[0];
    expect(signer.userOf(cookie)).toBe('alice');
    now += 9 * 3_600_000;
    expect(signer.userOf(cookie)).toBeUndefined();
    expect(signer.signOut()).toContain('Max-Age=0');
  });
});

describe('redirects', () => {
  it.each([
    ['/api/dashboard/', '/api/dashboard/'],
    ['/api/dashboard/?tab=inbox#top', '/api/dashboard/?tab=inbox#top'],
    ['//api/dashboard/', '/'],
    ['///evil.example', '/'],
    ['/\\evil.example', '/'],
    ['https://evil.example/', '/'],
    ['javascript:alert(1)', '/'],
    ['', '/'],
    [null, '/'],
  ])('%s stays on this origin as %s', (target, expected) => {
    expect(sameOriginPath(target, '/')).toBe(expected);
  });
});
