/**
 * Who the simulator acts as: distinct authenticated users, as real clients are — a customer owns
 * each account it opens and requests its transfers, an approver (never a requester) decides, an
 * operator loads and reads. From a users file in the host's format (`auth.local.json`, or the
 * example users), or generated for a host the simulator starts itself.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

export interface SimUser {
  id: string;
  name: string;
  roles: string[];
  token: string;
}

export class SimUsers {
  readonly customers: readonly SimUser[];
  readonly approver: SimUser;
  readonly operator: SimUser;

  constructor(
    readonly all: readonly SimUser[],
    source = 'the users',
  ) {
    const having = (role: string) => all.filter((user) => user.roles.includes(role));
    this.customers = having('customer');
    const approvers = having('approver').filter((user) => !user.roles.includes('customer'));
    const [approver] = approvers.length > 0 ? approvers : having('approver');
    const [operator] = having('operator');
    if (this.customers.length === 0 || !approver || !operator) {
      throw new Error(
        `${source} need at least one customer, one approver and one operator (see auth.local.example.json)`,
      );
    }
    this.approver = approver;
    this.operator = operator;
  }

  /** The users of a users file (`{users: [{id, name, roles, token}]}`). */
  static fromFile(file: string): SimUsers {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { users?: SimUser[] };
    if (!Array.isArray(parsed.users)) throw new Error(`${file} has no "users" list`);
    return new SimUsers(parsed.users, file);
  }

  /** New users for a host the simulator starts: `customers` customers, an approver, an operator. */
  static generate(customers = 4, prefix = 'sim'): SimUsers {
    const token = () => `sim-${randomBytes(16).toString('hex')}`;
    const users: SimUser[] = [
      ...Array.from({ length: customers }, (_, n) => ({
        id: `${prefix}-customer-${n + 1}`,
        name: `Customer ${n + 1}`,
        roles: ['customer'],
        token: token(),
      })),
      { id: `${prefix}-approver`, name: 'Approver', roles: ['approver'], token: token() },
      { id: `${prefix}-operator`, name: 'Operator', roles: ['operator'], token: token() },
    ];
    return new SimUsers(users, 'generated users');
  }

  /** Writes them as a users file the host reads (`CARDFLOW_AUTH_FILE`). */
  writeFile(file: string): void {
    writeFileSync(file, `${JSON.stringify({ users: this.all }, null, 2)}\n`, { mode: 0o600 });
  }

  /** The customer who owns the n-th account a run opens (round robin: a customer may own many). */
  customerFor(n: number): SimUser {
    return this.customers[n % this.customers.length];
  }

  headersOf(user: SimUser): Record<string, string> {
    return { authorization: `Bearer ${user.token}` };
  }
}
