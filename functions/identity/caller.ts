/**
 * Who is asking: the caller as App Service Authentication (Easy Auth, Entra ID) describes it in the
 * `x-ms-client-principal` header — base64 JSON with `auth_typ`, `claims`, `name_typ`, `role_typ` —
 * which the platform sets and strips from client requests (the local host does the same). The app
 * reads identity from there only, never from a request body.
 */

export const ROLES = ['customer', 'approver', 'operator'] as const;
export type Role = (typeof ROLES)[number];

export interface Caller {
  /** The Entra object id (lower-cased), or the local user's id. */
  readonly id: string;
  readonly name: string;
  readonly roles: readonly Role[];
  /** `aad` for Entra ID. */
  readonly identityProvider: string;
}

interface PrincipalClaim {
  typ: string;
  val: string;
}

interface ClientPrincipal {
  auth_typ?: string;
  name_typ?: string;
  role_typ?: string;
  claims?: PrincipalClaim[];
}

const OBJECT_ID_CLAIMS = ['http://schemas.microsoft.com/identity/claims/objectidentifier', 'oid'];
const NAME_CLAIMS = [
  'name',
  'preferred_username',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
];
// Entra ID issues app roles as `roles` claims while `role_typ` names the long claim type; accept both.
const ROLE_CLAIMS = ['roles', 'role', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role'];
const ID_PATTERN = /^[a-z0-9][a-z0-9-]{2,63}$/;

export interface HeaderSource {
  get(name: string): string | null;
}

/**
 * The caller of a request, or undefined when it carries no (usable) principal: anonymous.
 *
 * @example
 * callerFrom(request.headers); // { id: 'alice', name: 'Alice Adams', roles: ['customer'], identityProvider: 'aad' }
 */
export function callerFrom(headers: HeaderSource): Caller | undefined {
  const encoded = headers.get('x-ms-client-principal');
  if (!encoded) return undefined;
  const principal = decodePrincipal(encoded);
  if (!principal) return undefined;
  const claims = principal.claims ?? [];
  const values = (types: readonly string[]): string[] =>
    claims.filter((c) => types.includes(c.typ) && typeof c.val === 'string').map((c) => c.val);

  const id = (values(OBJECT_ID_CLAIMS)[0] ?? headers.get('x-ms-client-principal-id') ?? '')
    .trim()
    .toLowerCase();
  if (!ID_PATTERN.test(id)) return undefined;
  const name =
    values(principal.name_typ ? [principal.name_typ, ...NAME_CLAIMS] : NAME_CLAIMS)[0] ??
    headers.get('x-ms-client-principal-name') ??
    id;
  const roleTypes = principal.role_typ ? [principal.role_typ, ...ROLE_CLAIMS] : ROLE_CLAIMS;
  const roles = ROLES.filter((role) =>
    values(roleTypes).some((value) => value.trim().toLowerCase() === role),
  );
  return {
    id,
    name,
    roles,
    identityProvider: principal.auth_typ ?? headers.get('x-ms-client-principal-idp') ?? 'unknown',
  };
}

function decodePrincipal(encoded: string): ClientPrincipal | undefined {
  try {
    const json: unknown = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
    if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
    const principal = json as ClientPrincipal;
    if (principal.claims !== undefined && !Array.isArray(principal.claims)) return undefined;
    return principal;
  } catch {
    return undefined;
  }
}

export function hasRole(caller: Caller | undefined, ...roles: Role[]): boolean {
  return caller !== undefined && roles.some((role) => caller.roles.includes(role));
}
