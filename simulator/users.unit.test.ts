import {
  castFrom,
  generateUsers,
  notEnoughCustomers,
  parseUsersFile,
  usersFileText,
  type SimUser,
} from './users';

const user = (id: string, ...roles: string[]): SimUser => ({
  id,
  name: id,
  roles,
  token: `token-of-${id}-0123456789`,
});

describe('the simulator cast', () => {
  it('casts the example users: customers own, the pure approver decides, the operator loads and reads', () => {
    const cast = castFrom(
      [user('alice', 'customer'), user('bob', 'customer'), user('ada', 'approver'), user('otto', 'operator')],
      'auth.local.example.json',
    );
    expect(cast.customers.map((u) => u.id)).toEqual(['alice', 'bob']);
    expect(cast.approver.id).toBe('ada');
    expect(cast.operator.id).toBe('otto');
    expect(cast.checker).toBeUndefined();
  });

  it('prefers an approver who owns nothing, and makes a customer-approver the checker', () => {
    const cast = castFrom(
      [
        user('carl', 'customer', 'approver'),
        user('dora', 'customer'),
        user('ada', 'approver'),
        user('otto', 'operator'),
      ],
      'f',
    );
    expect(cast.approver.id).toBe('ada');
    expect(cast.checker?.id).toBe('carl');
    expect(cast.customers.map((u) => u.id)).toEqual(['carl', 'dora']);
  });

  it('names what a users file lacks', () => {
    expect(() => castFrom([user('alice', 'customer'), user('otto', 'operator')], 'f.json')).toThrow(
      'f.json has no approver',
    );
    expect(() => castFrom([user('alice', 'customer')], 'f.json')).toThrow(
      'f.json has no operator and no approver',
    );
  });

  it('generates valid, distinct users that read back as a users file', () => {
    const users = generateUsers('bench', 3);
    expect(users.map((u) => u.id)).toEqual([
      'bench-approver',
      'bench-operator',
      'bench-checker',
      'bench-customer-0',
      'bench-customer-1',
      'bench-customer-2',
    ]);
    expect(new Set(users.map((u) => u.token)).size).toBe(users.length);
    expect(parseUsersFile(usersFileText(users), 'x')).toEqual(users);
    const cast = castFrom(users, 'generated');
    expect(cast.customers).toHaveLength(4);
    expect(cast.checker?.id).toBe('bench-checker');
    expect(() => generateUsers('X', 1)).toThrow("the prefix 'X' makes an invalid user id");
  });

  it('refuses a file that is not a users file, naming it', () => {
    expect(() => parseUsersFile('{', 'a.json')).toThrow('a.json is not valid JSON');
    expect(() =>
      parseUsersFile('{"users":[{"id":"x","name":"x","roles":[],"token":"t"}]}', 'a.json'),
    ).toThrow(
      /a\.json is not a users file: users\.0\.id: .*; users\.0\.token: a token has at least 16 characters/,
    );
  });

  it('says what to do when there are fewer customers than accounts', () => {
    const cast = castFrom(
      [user('alice', 'customer'), user('bob', 'customer'), user('ada', 'approver'), user('otto', 'operator')],
      'auth.local.example.json',
    );
    expect(notEnoughCustomers(cast, 2, 'approved')).toBeUndefined();
    expect(notEnoughCustomers(cast, 20, 'load')?.split('\n')).toEqual([
      "'load' needs 20 customers (one per account) but auth.local.example.json has 2 (alice, bob).",
      'Run it with --accounts 2, or:',
      'add customers to auth.local.example.json and restart the host; or generate a users file for the host and the simulator:',
      '  npm run simulate -- --write-users sim-users.json --customers 20',
      '  CARDFLOW_AUTH_FILE=sim-users.json npm start',
      '  npm run simulate -- --users sim-users.json --scenario load --accounts 20',
    ]);
  });
});
