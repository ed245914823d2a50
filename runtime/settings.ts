/**
 * App settings for the local host, as Core Tools reads them: `local.settings.json` `Values` go into
 * `process.env` unless the environment already has the variable (the environment wins).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

/** The `Values` of `<appRoot>/local.settings.json`, or `{}` when the file is absent. */
export function readLocalSettings(appRoot: string): Record<string, string> {
  const file = path.join(appRoot, 'local.settings.json');
  if (!existsSync(file)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SettingsError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  const values = (parsed as { Values?: unknown } | null)?.Values ?? {};
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new SettingsError(`${file}: "Values" must be an object of strings.`);
  }
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    // Core Tools accepts numbers and booleans here and passes them as strings.
    if (value !== null && value !== undefined) result[key] = String(value);
  }
  return result;
}

/**
 * Puts `values` into `env` where a variable is not set yet, and returns the effective settings:
 * the values overlaid by the environment.
 */
export function applySettings(
  values: Record<string, string>,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string | undefined> {
  for (const [key, value] of Object.entries(values)) {
    if (env[key] === undefined) env[key] = value;
  }
  return { ...values, ...env };
}
