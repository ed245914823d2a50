/**
 * Who the simulator acts as. It calls the host as distinct users, as App Service Authentication
 * (Easy Auth) knows them: a customer per account (the owner opens it and requests its transfers),
 * an approver for decisions (never a requester, so the four-eyes rule holds), an operator for loads
 * and reads. The users come from a users file (the host's `auth.local.json`, or its example), or
 * are generated for a host the caller starts itself (the end-to-end tests, the benchmark).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** The host's users file names, the same as the local host reads (runtime/README.md, "Plays Easy Auth"). */
export const USERS_FILE = 'auth.local.json';
export const EXAMPLE_USERS_FILE = 'auth.local.example.json';

const ID = /^[a-z0-9][a-z0-9-]{2,63}$/;

const UserSchema = z.object({
  id: z.string().regex(ID, 'a user id is 3-64 lower-case letters, digits or dashes'),
  name: z.string().min(1),
  roles: z.array(z.string()),
  token: z.string().min(16, 'a token has at least 16 characters'),
});
const UsersFileSchema = z.object({ users: z.array(UserSchema).min(1) });

/** One user of the host's Easy Auth: the shape of a users file entry and of the host's `users` option. */
export type SimUser = z.infer<typeof UserSchema>;

/** The users a run acts as, each in one part. */
export interface Cast {
  /** Account owners: account n of a scenario belongs to customer n (the checker among them). */
  readonly customers: readonly SimUser[];
  /** Decides transfers; owns no account the run uses, so never decides on their own. */
  readonly approver: SimUser;
  /** Loads credits and reads everything. */
  readonly operator: SimUser;
  /** A customer who is also an approver, for the four-eyes scenario; absent when no user is both. */
  readonly checker?: SimUser;
  /** Where the users came from, for messages: a file path, or `generated`. */
  readonly source: string;
}

export class CastError extends Error {
  override readonly name = 'CastError';
}

const has = (user: SimUser, role: string) => user.roles.includes(role);

/** Parses a users file's text; throws {@link CastError} naming the file and the problem. */
export function parseUsersFile(text: string, file: string): SimUser[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CastError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = UsersFileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('; ');
    throw new CastError(`${file} is not a users file: ${problems}`);
  }
  return parsed.data.users;
}

export function readUsersFile(file: string): SimUser[] {
  if (!existsSync(file)) throw new CastError(`the users file ${file} does not exist`);
  return parseUsersFile(readFileSync(file, 'utf8'), file);
}

/**
 * The users file `npm start`'s host reads, resolved as it does: `CARDFLOW_AUTH_FILE` (relative to
 * the app folder), else `auth.local.json` there, else the example `auth.local.example.json`.
 */
export function hostUsersFile(appRoot: string, env: Readonly<Record<string, string | undefined>>): string {
  if (env.CARDFLOW_AUTH_FILE) return path.resolve(appRoot, env.CARDFLOW_AUTH_FILE);
  const own = path.join(appRoot, USERS_FILE);
  return existsSync(own) ? own : path.join(appRoot, EXAMPLE_USERS_FILE);
}

/** The app folder the simulator belongs to: the nearest folder above `from` with a host.json. */
export function appRootFrom(from: string): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'host.json')) && existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}

/**
 * Casts users in their parts: the first operator, the first approver who is not a customer (else
 * any approver), the customers other than those two, and a customer-approver as the checker.
 */
export function castFrom(users: readonly SimUser[], source: string): Cast {
  const operator = users.find((u) => has(u, 'operator'));
  const approver =
    users.find((u) => has(u, 'approver') && !has(u, 'customer') && u !== operator) ??
    users.find((u) => has(u, 'approver') && u !== operator);
  const missing = [!operator && 'operator', !approver && 'approver'].filter(Boolean);
  if (!operator || !approver)
    throw new CastError(
      `${source} has no ${missing.join(' and no ')}: the simulator loads and reads as an operator and decides as an approver`,
    );
  const customers = users.filter((u) => has(u, 'customer') && u !== approver && u !== operator);
  const checker = customers.find((u) => has(u, 'approver'));
  return {
    customers,
    approver,
    operator,
    ...(checker ? { checker } : {}),
    source,
  };
}

/**
 * Users for a host the caller starts: `customers` customers, an approver, an operator and a
 * checker (customer and approver), ids prefixed with `prefix`, random tokens.
 */
export function generateUsers(prefix: string, customers: number): SimUser[] {
  const token = () => randomBytes(18).toString('base64url');
  const user = (suffix: string, name: string, roles: string[]): SimUser => ({
    id: `${prefix}-${suffix}`,
    name,
    roles,
    token: `sim-${token()}`,
  });
  const users = [
    user('approver', 'Simulated Approver', ['approver']),
    user('operator', 'Simulated Operator', ['operator']),
    user('checker', 'Simulated Checker', ['customer', 'approver']),
    ...Array.from({ length: customers }, (_, n) =>
      user(`customer-${n}`, `Simulated Customer ${n}`, ['customer']),
    ),
  ];
  const bad = users.find((u) => !ID.test(u.id));
  if (bad) throw new CastError(`the prefix '${prefix}' makes an invalid user id '${bad.id}'`);
  return users;
}

/** A users file's text, as the host reads it. */
export function usersFileText(users: readonly SimUser[]): string {
  return `${JSON.stringify({ users }, null, 2)}\n`;
}

/**
 * What to do when a scenario needs more customers than the cast has: a message naming the users
 * file, how many it has, and the ways out (fewer accounts; more customers in the file; a generated file).
 */
export function notEnoughCustomers(cast: Cast, needed: number, scenario: string): string | undefined {
  if (cast.customers.length >= needed) return undefined;
  const have = cast.customers.map((u) => u.id).join(', ') || 'none';
  const file = 'sim-users.json';
  return [
    `'${scenario}' needs ${needed} customers (one per account) but ${cast.source} has ${cast.customers.length} (${have}).`,
    ...(scenario === 'load' && cast.customers.length >= 2
      ? [`Run it with --accounts ${cast.customers.length}, or:`]
      : []),
    `add customers to ${cast.source} and restart the host; or generate a users file for the host and the simulator:`,
    `  npm run simulate -- --write-users ${file} --customers ${needed}`,
    `  CARDFLOW_AUTH_FILE=${file} npm start`,
    `  npm run simulate -- --users ${file} --scenario ${scenario}${scenario === 'load' ? ` --accounts ${needed}` : ''}`,
  ].join('\n');
}
