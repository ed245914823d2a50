/**
 * The principal App Service Authentication hands the app, built for a local user: the
 * `x-ms-client-principal` header (base64 JSON with `auth_typ`, `claims`, `name_typ`, `role_typ`,
 * claims named as Entra ID issues them) and `x-ms-client-principal-id`, `-name`, `-idp` beside it.
 */
import type { LocalUser } from './users';

export const PRINCIPAL_HEADERS = [
  'x-ms-client-principal',
  'x-ms-client-principal-id',
  'x-ms-client-principal-name',
  'x-ms-client-principal-idp',
] as const;

export const CLAIM = {
  objectId: 'http://schemas.microsoft.com/identity/claims/objectidentifier',
  name: 'name',
  preferredUsername: 'preferred_username',
  roles: 'roles',
  nameType: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
  roleType: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
} as const;

/** The identity provider's name in the headers: Entra ID is `aad` in App Service. */
export const IDENTITY_PROVIDER = 'aad';

export interface ClientPrincipal {
  auth_typ: string;
  name_typ: string;
  role_typ: string;
  claims: Array<{ typ: string; val: string }>;
}

export function principalOf(user: LocalUser): ClientPrincipal {
  return {
    auth_typ: IDENTITY_PROVIDER,
    name_typ: CLAIM.nameType,
    role_typ: CLAIM.roleType,
    claims: [
      { typ: CLAIM.objectId, val: user.id },
      { typ: CLAIM.nameType, val: user.name },
      { typ: CLAIM.name, val: user.name },
      { typ: CLAIM.preferredUsername, val: user.id },
      ...user.roles.map((role) => ({ typ: CLAIM.roles, val: role })),
    ],
  };
}

/** The four headers App Service sets for an authenticated caller. */
export function principalHeaders(user: LocalUser): Record<(typeof PRINCIPAL_HEADERS)[number], string> {
  return {
    'x-ms-client-principal': Buffer.from(JSON.stringify(principalOf(user)), 'utf8').toString('base64'),
    'x-ms-client-principal-id': user.id,
    'x-ms-client-principal-name': user.name,
    'x-ms-client-principal-idp': IDENTITY_PROVIDER,
  };
}

/** `/.auth/me`'s answer for a signed-in user, as App Service shapes it. */
export function meEntry(user: LocalUser): Record<string, unknown> {
  return {
    provider_name: IDENTITY_PROVIDER,
    user_id: user.id,
    user_claims: principalOf(user).claims,
  };
}
