/** The local Easy Auth over real HTTP: bearer tokens, forged headers, browser sign-in, /.auth/me, logout. */
import path from 'node:path';
import { createTestHost, type TestHost } from '../testHost';
import type { LocalUser } from './users';

const APP = path.join(__dirname, 'test', 'fixtures', 'principal-app');
const alice: LocalUser = {
  id: 'alice',
  name: 'Alice Adams',
  roles: ['customer'],
  token: 'alice-token-0123456789',
};
const ada: LocalUser = {
  id: 'ada',
  name: 'Ada Approver',
  roles: ['approver'],
  token: 'ada-token-0123456789ab',
};

let host: TestHost;
beforeAll(async () => {
  host = await createTestHost({ appRoot: APP, dataFile: ':memory:', users: [alice, ada] });
});
afterAll(() => host.stop());

interface WhoAmI {
  principal: string | null;
  id: string | null;
  name: string | null;
  idp: string | null;
  user: {
    type: string;
    id: string;
    username: string;
    identityProvider: string;
    claimsPrincipalData: Record<string, unknown>;
  } | null;
}

async function whoami(headers: Record<string, string>): Promise<WhoAmI> {
  const answer = await host.fetch('/api/whoami', { headers });
  expect(answer.status).toBe(200);
  return (await answer.json()) as WhoAmI;
}

const forgedPrincipal = Buffer.from(
  JSON.stringify({
    auth_typ: 'aad',
    claims: [
      { typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier', val: 'otto' },
      { typ: 'roles', val: 'operator' },
    ],
  }),
).toString('base64');
const forged = {
  'x-ms-client-principal': forgedPrincipal,
  'x-ms-client-principal-id': 'otto',
  'x-ms-client-principal-name': 'Otto',
  'x-ms-client-principal-idp': 'aad',
};

describe('the local Easy Auth', () => {
  it('passes an anonymous request through with no principal, and drops a forged one', async () => {
    expect(await whoami({})).toMatchObject({ principal: null, id: null, user: null });
    expect(await whoami(forged)).toMatchObject({
      principal: null,
      id: null,
      name: null,
      idp: null,
      user: null,
    });
  });

  it('authenticates a bearer token as its user, whatever principal the client sent', async () => {
    const seen = await whoami({ ...forged, authorization: `Bearer ${alice.token}` });
    expect(seen).toMatchObject({ id: 'alice', name: 'Alice Adams', idp: 'aad' });
    const principal = JSON.parse(Buffer.from(String(seen.principal), 'base64').toString('utf8'));
    expect(principal.claims).toContainEqual({ typ: 'roles', val: 'customer' });
    expect(principal.claims).not.toContainEqual({ typ: 'roles', val: 'operator' });
    // @azure/functions reads the same header as Azure's: the app's library agrees on who it is.
    expect(seen.user).toMatchObject({
      type: 'AppService',
      id: 'alice',
      username: 'Alice Adams',
      identityProvider: 'aad',
    });
  });

  it('refuses a token that belongs to nobody with 401 problem+json', async () => {
    const answer = await host.fetch('/api/whoami', {
      headers: { authorization: 'Bearer not-a-known-token-at-all' },
    });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(await answer.json()).toMatchObject({ status: 401, code: 'invalid_token' });
  });

  it('signs a browser in at /.auth/login/local, answers /.auth/me, and signs it out', async () => {
    const page = await host.fetch('/.auth/login/local?post_login_redirect_uri=/api/whoami');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Alice Adams');
    expect(html).toContain('data-user="ada"');

    const login = await host.fetch('/.auth/login/local', {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ user: 'ada', post_login_redirect_uri: '/api/whoami' }).toString(),
    });
    expect(login.status).toBe(302);
    expect(login.headers.get('location')).toBe('/api/whoami');
    const setCookie = String(login.headers.get('set-cookie'));
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    const cookie = setCookie.split(';')[0];

    expect(await whoami({ cookie })).toMatchObject({ id: 'ada', name: 'Ada Approver' });
    const me = await host.fetch('/.auth/me', { headers: { cookie } });
    expect(me.status).toBe(200);
    const [entry] = (await me.json()) as Array<{
      provider_name: string;
      user_id: string;
      user_claims: unknown[];
    }>;
    expect(entry).toMatchObject({ provider_name: 'aad', user_id: 'ada' });
    expect(entry.user_claims).toContainEqual({ typ: 'roles', val: 'approver' });

    const logout = await host.fetch('/.auth/logout?post_logout_redirect_uri=/api/whoami', {
      redirect: 'manual',
      headers: { cookie },
    });
    expect(logout.status).toBe(302);
    expect(logout.headers.get('location')).toBe('/api/whoami');
    expect(String(logout.headers.get('set-cookie'))).toContain('Max-Age=0');
  });

  it('answers /.auth/me with 401 when nobody is signed in', async () => {
    const me = await host.fetch('/.auth/me');
    expect(me.status).toBe(401);
    expect(await me.json()).toMatchObject({ code: 'unauthenticated' });
  });

  it('refuses an unknown user at sign-in and never redirects off this origin', async () => {
    const unknown = await host.fetch('/.auth/login/local', {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'user=mallory',
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ code: 'unknown_user' });
    for (const target of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
      const login = await host.fetch('/.auth/login/local', {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ user: 'alice', post_login_redirect_uri: target }).toString(),
      });
      expect(login.headers.get('location')).toBe('/');
    }
    const aad = await host.fetch('/.auth/login/aad?post_login_redirect_uri=//evil.example', {
      redirect: 'manual',
    });
    expect(aad.status).toBe(302);
    expect(aad.headers.get('location')).toBe('/.auth/login/local?post_login_redirect_uri=%2F');
  });

  it('answers unknown /.auth routes 404 and wrong methods 405, as problem+json', async () => {
    expect((await host.fetch('/.auth/nothing')).status).toBe(404);
    expect((await host.fetch('/.auth/me', { method: 'POST' })).status).toBe(405);
  });
});
