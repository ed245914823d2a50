import { createApi } from './api';
import { describeRoles, offerFor, offeredViews, parseMe, signInUrl, SIGN_OUT_URL } from './session';

/** `/.auth/me` as the local host answers it for a user (claims named as Entra ID issues them). */
const LOCAL_ME = [
  {
    provider_name: 'aad',
    user_id: 'ada',
    user_claims: [
      { typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier', val: 'ada' },
      { typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name', val: 'Ada Approver' },
      { typ: 'name', val: 'Ada Approver' },
      { typ: 'preferred_username', val: 'ada' },
      { typ: 'roles', val: 'approver' },
      { typ: 'roles', val: 'operator' },
    ],
  },
];

describe('parseMe', () => {
  it('reads the id, the name and the roles of the signed-in person', () => {
    expect(parseMe(LOCAL_ME)).toEqual({ id: 'ada', name: 'Ada Approver', roles: ['approver', 'operator'] });
  });

  it("takes Entra ID's object id over user_id (the UPN), and long role claim types in any case", () => {
    const entra = [
      {
        provider_name: 'aad',
        user_id: 'otto@contoso.com',
        user_claims: [
          { typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier', val: '5B54-EB26' },
          { typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role', val: 'Operator' },
          { typ: 'roles', val: 'Reader' },
        ],
      },
    ];
    expect(parseMe(entra)).toEqual({ id: '5b54-eb26', name: 'otto@contoso.com', roles: ['operator'] });
  });

  it.each([
    ['an empty list', []],
    ['not a list', { user_id: 'ada' }],
    ['no id at all', [{ user_claims: [{ typ: 'roles', val: 'approver' }] }]],
    ['null', null],
  ])('names nobody for %s', (_case, body) => {
    expect(parseMe(body)).toBeUndefined();
  });
});

describe('offerFor', () => {
  it('offers the inbox to decide in to approvers only, to read to operators, not at all to customers', () => {
    expect(offerFor(['approver'])).toEqual({ inbox: 'decide', lookup: true, monitor: false });
    expect(offerFor(['operator'])).toEqual({ inbox: 'read', lookup: true, monitor: true });
    expect(offerFor(['customer'])).toEqual({ inbox: 'none', lookup: true, monitor: false });
    expect(offerFor(['approver', 'operator'])).toEqual({ inbox: 'decide', lookup: true, monitor: true });
    expect(offerFor([])).toEqual({ inbox: 'none', lookup: true, monitor: false });
  });

  it('lists the views offered in the navigation order', () => {
    expect(offeredViews(offerFor(['customer']))).toEqual(['lookup']);
    expect(offeredViews(offerFor(['approver']))).toEqual(['inbox', 'lookup']);
    expect(offeredViews(offerFor(['operator']))).toEqual(['inbox', 'lookup', 'monitor']);
  });
});

describe('sign-in and sign-out links', () => {
  it('signs in through App Service and comes back to the page as it was, on this origin only', () => {
    expect(signInUrl('/api/dashboard/', '?pollMs=500', '#lookup?transfer=t-1')).toBe(
      '/.auth/login/aad?post_login_redirect_uri=%2Fapi%2Fdashboard%2F%3FpollMs%3D500%23lookup%3Ftransfer%3Dt-1',
    );
    expect(signInUrl('//evil.example/x')).toBe(
      '/.auth/login/aad?post_login_redirect_uri=%2Fevil.example%2Fx',
    );
  });

  it('signs out back to the dashboard', () => {
    expect(SIGN_OUT_URL).toBe('/.auth/logout?post_logout_redirect_uri=%2Fapi%2Fdashboard%2F');
  });

  it('puts the roles in words', () => {
    expect(describeRoles(['approver', 'operator'])).toBe('approver, operator');
    expect(describeRoles([])).toBe('no role');
  });
});

describe('api.me', () => {
  const answering = (status: number, body: unknown) =>
    createApi({
      fetch: async () =>
        new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }),
    });

  it('is the signed-in person on 200 and nobody on 401', async () => {
    await expect(answering(200, LOCAL_ME).me()).resolves.toMatchObject({ id: 'ada' });
    await expect(answering(401, { title: 'Unauthorized' }).me()).resolves.toBeUndefined();
  });

  it('reports any other answer as an error (no sign-in service there)', async () => {
    await expect(answering(404, { title: 'Not Found' }).me()).rejects.toThrow('Not Found (404)');
  });
});
