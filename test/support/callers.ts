/**
 * Authenticated callers for tests: each id gets a user on the host's Easy Auth (made on first use,
 * its roles growing as tests need them) and a bearer token, so tests call the API as real,
 * distinct principals, exactly as scripts do against `npm start`.
 */
import type { Host } from '@cardflow/local-host';

export type Role = 'customer' | 'approver' | 'operator';

/** The operator tests act as when reading: operators read everything. */
export const TEST_OPERATOR = 'ops';
/** The approver tests act as when a decision names nobody. */
export const TEST_APPROVER = 'ada';

export function tokenOf(id: string): string {
  return `test-token-${id}-0123456789`;
}

export class Callers {
  private readonly roles = new Map<string, Set<Role>>();

  constructor(private readonly host: Pick<Host, 'addUser'>) {}

  /** The headers that authenticate `id` with (at least) `roles`. */
  as(id: string, ...roles: Role[]): Record<string, string> {
    const held = this.roles.get(id) ?? new Set<Role>();
    const missing = roles.filter((role) => !held.has(role));
    if (missing.length > 0 || !this.roles.has(id)) {
      for (const role of roles) held.add(role);
      this.roles.set(id, held);
      this.host.addUser({ id, name: displayName(id), roles: [...held], token: tokenOf(id) });
    }
    return { authorization: `Bearer ${tokenOf(id)}` };
  }
}

function displayName(id: string): string {
  return id.charAt(0).toUpperCase() + id.slice(1);
}
