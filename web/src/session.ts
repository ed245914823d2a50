/**
 * Who is signed in and what the dashboard offers them. The person comes from App Service
 * Authentication's `/.auth/me` (the local host answers the same), never from anything typed into
 * the page; the API still decides every call, so this only keeps out of sight what would be refused.
 */
import type { ViewName } from './route.js';

export const ROLES = ['customer', 'approver', 'operator'] as const;
export type Role = (typeof ROLES)[number];

export interface Session {
  /** The id the app knows the caller by: the Entra object id, or the local user's id. */
  id: string;
  name: string;
  roles: Role[];
}

/** What each view offers: the inbox to decide in or only to read, the other views or not. */
export interface Offer {
  inbox: 'decide' | 'read' | 'none';
  lookup: boolean;
  monitor: boolean;
}

// The claim types match functions/identity/caller.ts, so the page names the caller as the app does.
const OBJECT_ID_CLAIMS = ['http://schemas.microsoft.com/identity/claims/objectidentifier', 'oid'];
const NAME_CLAIMS = [
  'name',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
  'preferred_username',
];
const ROLE_CLAIMS = ['roles', 'role', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role'];

/**
 * The signed-in person from `/.auth/me`'s answer (`[{provider_name, user_id, user_claims}]`), or
 * undefined when it names nobody.
 *
 * @example
 * parseMe([{ user_id: 'ada', user_claims: [{ typ: 'name', val: 'Ada' }, { typ: 'roles', val: 'approver' }] }]);
 * // { id: 'ada', name: 'Ada', roles: ['approver'] }
 */
export function parseMe(body: unknown): Session | undefined {
  const entry: unknown = Array.isArray(body) ? body[0] : undefined;
  if (typeof entry !== 'object' || entry === null) return undefined;
  const record = entry as Record<string, unknown>;
  const claims = Array.isArray(record.user_claims)
    ? record.user_claims.filter(
        (c): c is { typ: string; val: string } =>
          typeof c === 'object' &&
          c !== null &&
          typeof (c as Record<string, unknown>).typ === 'string' &&
          typeof (c as Record<string, unknown>).val === 'string',
      )
    : [];
  const first = (types: readonly string[]): string | undefined => {
    for (const type of types) {
      const claim = claims.find((c) => c.typ === type && c.val.trim() !== '');
      if (claim) return claim.val.trim();
    }
    return undefined;
  };
  const userId = typeof record.user_id === 'string' ? record.user_id.trim() : '';
  const id = (first(OBJECT_ID_CLAIMS) ?? userId).toLowerCase();
  if (id === '') return undefined;
  const held = claims.filter((c) => ROLE_CLAIMS.includes(c.typ)).map((c) => c.val.trim().toLowerCase());
  return {
    id,
    name: first(NAME_CLAIMS) ?? (userId || id),
    roles: ROLES.filter((role) => held.includes(role)),
  };
}

/**
 * What a person with `roles` is offered (functions/identity/access.ts says what the API allows):
 * approvers decide in the inbox, operators read it and run the monitor, everyone signed in looks up.
 */
export function offerFor(roles: readonly Role[]): Offer {
  return {
    inbox: roles.includes('approver') ? 'decide' : roles.includes('operator') ? 'read' : 'none',
    lookup: true,
    monitor: roles.includes('operator'),
  };
}

/** The views offered, in the navigation's order; the first is where an unknown hash lands. */
export function offeredViews(offer: Offer): ViewName[] {
  const views: ViewName[] = [];
  if (offer.inbox !== 'none') views.push('inbox');
  if (offer.lookup) views.push('lookup');
  if (offer.monitor) views.push('monitor');
  return views;
}

/**
 * Where "Sign in" goes: App Service's Entra ID sign-in (the local host sends it to its user list),
 * coming back to this page as it was.
 *
 * @example
 * signInUrl('/api/dashboard/', '?pollMs=500', '#lookup'); // '/.auth/login/aad?post_login_redirect_uri=%2Fapi%2Fdashboard%2F%3FpollMs%3D500%23lookup'
 */
export function signInUrl(pathname: string, search = '', hash = ''): string {
  // Only a path of this origin: App Service and the local host refuse anything else anyway.
  const here = `/${pathname.replace(/^[/\\]+/, '')}${search}${hash}`;
  return `/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(here)}`;
}

export const SIGN_OUT_URL = `/.auth/logout?post_logout_redirect_uri=${encodeURIComponent('/api/dashboard/')}`;

/** "Ada Approver (approver)" — the roles in words for the masthead. */
export function describeRoles(roles: readonly Role[]): string {
  return roles.length === 0 ? 'no role' : roles.join(', ');
}
