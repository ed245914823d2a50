/**
 * The callers the local host authenticates, as Easy Auth's identity provider would: a users file
 * (`CARDFLOW_AUTH_FILE`, default `auth.local.json` in the app's folder), each user with an id, a
 * name, roles and a personal bearer token. With no users file the host falls back to the app's
 * `auth.local.example.json` and says so at start; with neither, nobody is authenticated.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const USERS_FILE = 'auth.local.json';
export const EXAMPLE_USERS_FILE = 'auth.local.example.json';

const UserSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{2,63}$/, 'a user id is 3-64 lower-case letters, digits or dashes'),
  name: z.string().trim().min(1).max(200),
  roles: z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/)).max(20),
  token: z.string().min(16, 'a token has at least 16 characters').max(512),
});

const UsersFileSchema = z
  .object({ users: z.array(UserSchema).min(1) })
  .refine(
    (file) => new Set(file.users.map((u) => u.id)).size === file.users.length,
    'user ids must be unique',
  )
  .refine(
    (file) => new Set(file.users.map((u) => u.token)).size === file.users.length,
    'tokens must be unique',
  );

export type LocalUser = z.infer<typeof UserSchema>;

export interface LocalUsers {
  readonly users: readonly LocalUser[];
  /** The file they came from, for the start banner. */
  readonly file: string;
  /** True when they are the example users (no users file of the app's own). */
  readonly example: boolean;
}

export class UsersFileError extends Error {
  override readonly name = 'UsersFileError';
}

/** Parses a users file's text; throws {@link UsersFileError} naming the file and the problem. */
export function parseUsers(text: string, file: string): LocalUser[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsersFileError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = UsersFileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('; ');
    throw new UsersFileError(`${file} is not a valid users file: ${problems}`);
  }
  return parsed.data.users;
}

/** The users the host authenticates: the configured file, else the example, else none (undefined). */
export function loadUsers(appRoot: string, configured: string | undefined): LocalUsers | undefined {
  if (configured) {
    const file = path.resolve(appRoot, configured);
    if (!existsSync(file)) throw new UsersFileError(`CARDFLOW_AUTH_FILE names ${file}, which does not exist`);
    return { users: parseUsers(readFileSync(file, 'utf8'), file), file, example: false };
  }
  for (const [name, example] of [
    [USERS_FILE, false],
    [EXAMPLE_USERS_FILE, true],
  ] as const) {
    const file = path.join(appRoot, name);
    if (existsSync(file)) return { users: parseUsers(readFileSync(file, 'utf8'), file), file, example };
  }
  return undefined;
}
