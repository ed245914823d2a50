/**
 * The local host plays App Service Authentication ("Easy Auth"): it strips any
 * `x-ms-client-principal*` header a client sends, authenticates the caller (`Authorization: Bearer
 * <token>` for scripts, the session cookie for browsers) against the users file, and sets the
 * principal headers as App Service does, so the app's code path is the one Azure runs. It serves
 * `/.auth/login/local` (pick a user), `/.auth/login/aad` (the Azure sign-in URL, sent there),
 * `/.auth/logout` and `/.auth/me`. Unauthenticated requests pass through anonymously, as with
 * App Service's "allow unauthenticated requests": the app decides what needs a caller.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../http/body';
import { sendProblem } from '../http/problem';
import { meEntry, PRINCIPAL_HEADERS, principalHeaders } from './principal';
import { sameOriginPath } from './redirect';
import { SessionSigner } from './session';
import type { LocalUser, LocalUsers } from './users';

export const AUTH_PATH_PREFIX = '/.auth/';
const LOGIN_FORM_LIMIT = 8 * 1024;

export type Authentication = { ok: true; user?: LocalUser } | { ok: false; status: 401; detail: string };

export class EasyAuth {
  private readonly byId: Map<string, LocalUser>;
  private readonly byToken: Map<string, LocalUser>;

  constructor(
    readonly users: LocalUsers | undefined,
    private readonly sessions: SessionSigner = new SessionSigner(),
  ) {
    const list = users?.users ?? [];
    this.byId = new Map(list.map((u) => [u.id, u]));
    this.byToken = new Map(list.map((u) => [u.token, u]));
  }

  /** Adds a caller, or replaces the one with its id (tests and tools that make users as they go). */
  addUser(user: LocalUser): void {
    const previous = this.byId.get(user.id);
    if (previous) this.byToken.delete(previous.token);
    const holder = this.byToken.get(user.token);
    if (holder && holder.id !== user.id)
      throw new Error(`token of ${user.id} already belongs to ${holder.id}`);
    this.byId.set(user.id, user);
    this.byToken.set(user.token, user);
  }

  /** Whether any caller can be authenticated (a users file, or the example users, was found). */
  get enabled(): boolean {
    return this.byId.size > 0;
  }

  /**
   * Strips client-sent principal headers from `req` and, for an authenticated caller, sets them.
   * A bearer token that names nobody is refused (401), as App Service refuses an invalid token.
   */
  authenticate(req: IncomingMessage): Authentication {
    stripPrincipal(req);
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    let user: LocalUser | undefined;
    if (bearer) {
      user = this.byToken.get(bearer[1]);
      if (!user)
        return { ok: false, status: 401, detail: 'The bearer token does not belong to any configured user.' };
    } else {
      const sessionUser = this.sessions.userOf(req.headers.cookie);
      user = sessionUser === undefined ? undefined : this.byId.get(sessionUser);
    }
    if (user) Object.assign(req.headers, principalHeaders(user));
    return { ok: true, user };
  }

  /** Serves `/.auth/...`; resolves false for any other path. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (!url.pathname.startsWith(AUTH_PATH_PREFIX)) return false;
    const route = url.pathname.slice(AUTH_PATH_PREFIX.length).replace(/\/+$/, '').toLowerCase();
    const method = req.method ?? 'GET';
    if (route === 'me' && method === 'GET') return (this.me(req, res, url), true);
    if (route === 'login/aad' || route === 'login') {
      const next = sameOriginPath(url.searchParams.get('post_login_redirect_uri'), '/');
      redirect(res, `/.auth/login/local?post_login_redirect_uri=${encodeURIComponent(next)}`);
      return true;
    }
    if (route === 'login/local' && method === 'GET') return (this.loginPage(res, url), true);
    if (route === 'login/local' && method === 'POST') return (await this.login(req, res, url), true);
    if (route === 'logout' && method === 'GET') {
      const next = sameOriginPath(url.searchParams.get('post_logout_redirect_uri'), '/.auth/login/local');
      redirect(res, next, { 'set-cookie': this.sessions.signOut() });
      return true;
    }
    const known = ['me', 'login', 'login/aad', 'login/local', 'logout'].includes(route);
    sendProblem(
      res,
      known
        ? {
            status: 405,
            title: 'Method Not Allowed',
            detail: `${method} is not served at ${url.pathname}.`,
            instance: url.pathname,
          }
        : { status: 404, title: 'Not Found', detail: `There is no ${url.pathname}.`, instance: url.pathname },
    );
    return true;
  }

  private me(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const authentication = this.authenticate(req);
    if (!authentication.ok || !authentication.user) {
      sendProblem(res, {
        status: 401,
        title: 'Unauthorized',
        detail: authentication.ok ? 'Nobody is signed in.' : authentication.detail,
        code: 'unauthenticated',
        instance: url.pathname,
      });
      return;
    }
    const body = JSON.stringify([meEntry(authentication.user)]);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(body);
  }

  private loginPage(res: ServerResponse, url: URL): void {
    const next = sameOriginPath(url.searchParams.get('post_login_redirect_uri'), '/');
    const users = [...this.byId.values()];
    const rows = users
      .map(
        (u) => `<li><form method="post" action="/.auth/login/local">
  <input type="hidden" name="user" value="${escapeHtml(u.id)}">
  <input type="hidden" name="post_login_redirect_uri" value="${escapeHtml(next)}">
  <button type="submit" data-user="${escapeHtml(u.id)}">${escapeHtml(u.name)}</button>
  <span class="roles">${escapeHtml(u.id)} · ${u.roles.map(escapeHtml).join(', ') || 'no roles'}</span>
</form></li>`,
      )
      .join('\n');
    const note = this.users?.example
      ? '<p class="note">These are the example users (auth.local.example.json). Put your own in auth.local.json.</p>'
      : '';
    const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in — local host</title>
<style>body{font:16px system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}ul{list-style:none;padding:0}
li{margin:.5rem 0}button{font:inherit;padding:.4rem .9rem;margin-right:.6rem;cursor:pointer}.roles{color:#555}.note{color:#555}</style>
</head><body><main>
<h1>Sign in</h1>
<p>The local host stands in for App Service Authentication. Pick a user:</p>
${users.length > 0 ? `<ul>${rows}</ul>` : '<p>No users are configured: add them to auth.local.json (see auth.local.example.json).</p>'}
${note}
</main></body></html>`;
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy':
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    });
    res.end(body);
  }

  private async login(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const read = await readBody(req, LOGIN_FORM_LIMIT);
    if (read.tooLarge) {
      sendProblem(res, {
        status: 413,
        title: 'Content Too Large',
        detail: 'The sign-in form is too large.',
        instance: url.pathname,
      });
      return;
    }
    const form = new URLSearchParams(read.body.toString('utf8'));
    const user = this.byId.get(form.get('user') ?? '');
    if (!user) {
      sendProblem(res, {
        status: 400,
        title: 'Bad Request',
        detail: 'Pick one of the configured users.',
        code: 'unknown_user',
        instance: url.pathname,
      });
      return;
    }
    const secure = (req.headers['x-forwarded-proto'] ?? '') === 'https' || url.protocol === 'https:';
    redirect(res, sameOriginPath(form.get('post_login_redirect_uri'), '/'), {
      'set-cookie': this.sessions.signIn(user.id, secure),
    });
  }
}

/** Removes every `x-ms-client-principal*` header: only the platform (here, the host) sets them. */
export function stripPrincipal(req: IncomingMessage): void {
  for (const header of PRINCIPAL_HEADERS) delete req.headers[header];
}

function redirect(res: ServerResponse, location: string, headers: Record<string, string> = {}): void {
  res.writeHead(302, { ...headers, location, 'cache-control': 'no-store', 'content-length': 0 });
  res.end();
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
