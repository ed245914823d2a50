import { callerFrom, hasRole, type HeaderSource } from './caller';

/** As App Service Authentication with Entra ID sends it (claims mapped by App Service, app roles as `roles`). */
const ENTRA_PRINCIPAL = {
  auth_typ: 'aad',
  claims: [
    { typ: 'aud', val: '9f1a6a2e-2b1c-4e0b-9d5e-0c6f3f7d1a11' },
    { typ: 'iss', val: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0' },
    { typ: 'iat', val: '1764600000' },
    { typ: 'nbf', val: '1764600000' },
    { typ: 'exp', val: '1764603900' },
    { typ: 'aio', val: 'AUQAu/8ZAAAA' },
    { typ: 'http://schemas.microsoft.com/claims/authnmethodsreferences', val: 'pwd' },
    { typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress', val: 'ada@contoso.com' },
    { typ: 'name', val: 'Ada Approver' },
    {
      typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier',
      val: '5B5450DB-EB26-4C1A-981C-BA1D25F0483D',
    },
    { typ: 'preferred_username', val: 'ada@contoso.com' },
    { typ: 'rh', val: '0.AXEA' },
    { typ: 'roles', val: 'approver' },
    { typ: 'roles', val: 'Reader' },
    { typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier', val: 'n3M1f0' },
    {
      typ: 'http://schemas.microsoft.com/identity/claims/tenantid',
      val: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    },
    { typ: 'uti', val: 'x1y2z3' },
    { typ: 'ver', val: '2.0' },
  ],
  name_typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  role_typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
};

function headers(values: Record<string, string>): HeaderSource {
  return { get: (name) => values[name.toLowerCase()] ?? null };
}

const encode = (principal: unknown): string => Buffer.from(JSON.stringify(principal)).toString('base64');

describe('callerFrom', () => {
  it('reads an Entra ID principal: object id, display name from name_typ, app roles', () => {
    const caller = callerFrom(
      headers({
        'x-ms-client-principal': encode(ENTRA_PRINCIPAL),
        'x-ms-client-principal-id': '5b5450db-eb26-4c1a-981c-ba1d25f0483d',
        'x-ms-client-principal-name': 'ada@contoso.com',
        'x-ms-client-principal-idp': 'aad',
      }),
    );
    expect(caller).toEqual({
      id: '5b5450db-eb26-4c1a-981c-ba1d25f0483d',
      name: 'ada@contoso.com',
      roles: ['approver'],
      identityProvider: 'aad',
    });
  });

  it('takes roles named by role_typ too, in any case, and ignores roles the app does not know', () => {
    const principal = {
      auth_typ: 'aad',
      role_typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
      claims: [
        { typ: 'oid', val: 'otto' },
        { typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role', val: 'Operator' },
        { typ: 'roles', val: 'customer' },
        { typ: 'roles', val: 'superuser' },
      ],
    };
    expect(callerFrom(headers({ 'x-ms-client-principal': encode(principal) }))).toMatchObject({
      id: 'otto',
      name: 'otto',
      roles: ['customer', 'operator'],
    });
  });

  it('falls back to the principal id header when no object id claim is present', () => {
    const principal = { auth_typ: 'aad', claims: [{ typ: 'name', val: 'Bob' }] };
    expect(
      callerFrom(
        headers({ 'x-ms-client-principal': encode(principal), 'x-ms-client-principal-id': 'bob-1' }),
      ),
    ).toMatchObject({ id: 'bob-1', name: 'Bob', roles: [] });
  });

  it.each([
    ['no header', {}],
    ['not base64 JSON', { 'x-ms-client-principal': '%%%not-base64' }],
    ['a JSON array', { 'x-ms-client-principal': encode([1, 2]) }],
    ['claims that are not a list', { 'x-ms-client-principal': encode({ claims: 'x' }) }],
    ['no usable id', { 'x-ms-client-principal': encode({ claims: [{ typ: 'oid', val: 'Not An Id!' }] }) }],
  ])('is anonymous with %s', (_case, values) => {
    expect(callerFrom(headers(values as Record<string, string>))).toBeUndefined();
  });

  it('hasRole answers for any of the roles named', () => {
    const caller = { id: 'ada', name: 'Ada', roles: ['approver' as const], identityProvider: 'aad' };
    expect(hasRole(caller, 'approver')).toBe(true);
    expect(hasRole(caller, 'operator', 'approver')).toBe(true);
    expect(hasRole(caller, 'operator')).toBe(false);
    expect(hasRole(undefined, 'customer')).toBe(false);
  });
});
