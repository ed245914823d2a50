/**
 * The app's configuration (docs/architecture.md, configuration): app settings / environment variables → one validated,
 * typed object. A bad value stops the app at load with a message naming the setting, instead of
 * surfacing later as a confusing failure inside a handler.
 */
import { z } from 'zod';
import {
  DEFAULT_APPROVAL_THRESHOLD,
  DEFAULT_APPROVAL_TIMEOUT,
  DEFAULT_VELOCITY_THRESHOLD,
} from '../domain/approvalPolicy';
import { tryParseDurationMs } from '../domain/duration';
import { DEFAULT_DATABASE } from '../stores/layout';
import { runsOnLocalHost } from '../stores/localHost';
import type { TransferPolicy } from '../orchestrations/contracts';

export type Env = Readonly<Record<string, string | undefined>>;

export interface Settings {
  store: 'local' | 'cosmos';
  dataDir: string;
  cosmosDatabase: string;
  /** Cents. */
  approvalThreshold: number;
  /** Cents. */
  velocityThreshold: number;
  /** ISO-8601 duration, validated. */
  approvalTimeout: string;
  approvalTimeoutMs: number;
  /** Undefined locally when not set: the local topic of the running host is used. */
  eventGridEndpoint?: string;
  /** Undefined with the Cosmos store: keyless, the managed identity signs in (Entra ID). */
  eventGridKey?: string;
  /** How the app reaches Cosmos DB (with CARDFLOW_STORE=cosmos): a key, or the identity. */
  cosmosAuth?: 'key' | 'identity';
  /** `host:port` of the running host (WEBSITE_HOSTNAME, set by Azure, Core Tools and the local host). */
  hostName?: string;
  /** When the reconciler runs: NCRONTAB with seconds, or a TimeSpan (functions/reconciler.ts). */
  reconcilerSchedule: string;
  /** Back-pressure on new commands (functions/http/backPressure.ts, docs/operations.md). */
  backlog: BacklogSettings;
}

export interface BacklogSettings {
  /** Commands this instance accepted and the pipeline has not yet handled through, past which new ones get 429. */
  maxCommands: number;
  /** Seconds a refused client is told to wait (`Retry-After`). */
  retryAfterSeconds: number;
}

/** About 15 s of the pipeline's work at the rates measured in issue 15 (33 transfers/s). */
export const DEFAULT_BACKLOG_MAX_COMMANDS = 500;
export const DEFAULT_BACKLOG_RETRY_AFTER_SECONDS = 5;

/** The reconciler's default schedule: at second 0 of every minute. */
export const DEFAULT_RECONCILER_SCHEDULE = '0 */1 * * * *';

/** Six NCRONTAB fields (`*`, numbers, names, ranges, steps, lists), or a TimeSpan such as `00:01:00` or `1.00:00:00`. */
const NCRONTAB = /^[A-Za-z0-9*/,-]+(\s+[A-Za-z0-9*/,-]+){5}$/;
const TIME_SPAN = /^(\d+\.)?\d+:\d{1,2}(:\d{1,2})?$/;

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Cardflow settings are invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

const cents = (name: string, fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `${name} must be a whole number of cents, e.g. ${fallback}`)
    .transform(Number)
    .pipe(
      z.int().min(1, `${name} must be at least 1`).max(1_000_000_000_000, `${name} must be at most 10^12`),
    )
    .optional()
    .transform((v) => v ?? fallback);

const wholeNumber = (name: string, fallback: number, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `${name} must be a whole number, e.g. ${fallback}`)
    .transform(Number)
    .pipe(z.int().min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`))
    .optional()
    .transform((v) => v ?? fallback);

const SettingsSchema = z.object({
  // Read as stores/storeKind.ts reads it (trimmed), so both agree on every value.
  CARDFLOW_STORE: z
    .string()
    .trim()
    .pipe(z.enum(['local', 'cosmos'], { error: "CARDFLOW_STORE must be 'local' or 'cosmos'" }))
    .optional(),
  CARDFLOW_DATA_DIR: z.string().min(1).optional(),
  COSMOS_DATABASE: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,255}$/, 'COSMOS_DATABASE must be a Cosmos DB database name')
    .optional(),
  CosmosDBConnection: z.string().optional(),
  // Keyless (identity-based) Cosmos DB connection, named as Azure Functions names it.
  CosmosDBConnection__accountEndpoint: z
    .url({
      protocol: /^https?$/,
      error:
        "CosmosDBConnection__accountEndpoint must be the account's URL, e.g. https://{account}.documents.azure.com:443/",
    })
    .optional(),
  APPROVAL_THRESHOLD: cents('APPROVAL_THRESHOLD', DEFAULT_APPROVAL_THRESHOLD),
  VELOCITY_THRESHOLD: cents('VELOCITY_THRESHOLD', DEFAULT_VELOCITY_THRESHOLD),
  APPROVAL_TIMEOUT: z
    .string()
    .trim()
    .refine(
      (text) => (tryParseDurationMs(text) ?? 0) > 0,
      'APPROVAL_TIMEOUT must be a positive ISO-8601 duration such as PT24H, P1D or PT30S',
    )
    .optional(),
  EVENTGRID_TOPIC_ENDPOINT: z
    .url({ protocol: /^https?$/, error: 'EVENTGRID_TOPIC_ENDPOINT must be an http(s) URL' })
    .optional(),
  EVENTGRID_TOPIC_KEY: z.string().min(1).optional(),
  WEBSITE_HOSTNAME: z.string().optional(),
  // The shape only: the host parses the schedule itself, and refuses to start on a value it cannot use.
  RECONCILER_SCHEDULE: z
    .string()
    .trim()
    .refine(
      (text) => NCRONTAB.test(text) || TIME_SPAN.test(text),
      "RECONCILER_SCHEDULE must be an NCRONTAB expression with seconds, e.g. '0 */1 * * * *', or a TimeSpan such as 00:01:00",
    )
    .optional(),
  BACKLOG_MAX_COMMANDS: wholeNumber('BACKLOG_MAX_COMMANDS', DEFAULT_BACKLOG_MAX_COMMANDS, 1, 1_000_000),
  BACKLOG_RETRY_AFTER: wholeNumber('BACKLOG_RETRY_AFTER', DEFAULT_BACKLOG_RETRY_AFTER_SECONDS, 1, 3600),
});

/** Every app setting this module reads (infra/ sets each, or says why not: test/azure/infra.unit.test.ts). */
export const SETTING_NAMES: readonly string[] = Object.keys(SettingsSchema.shape);

/** Empty strings count as unset (app settings often exist with no value). */
function present(env: Env): Record<string, string> {
  const result: Record<string, string> = {};
  for (const key of Object.keys(SettingsSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') result[key] = value;
  }
  return result;
}

/**
 * Reads and validates the settings.
 *
 * @throws SettingsError naming every bad setting.
 * @example loadSettings({ APPROVAL_TIMEOUT: 'PT1H' }).approvalTimeoutMs // 3_600_000
 */
export function loadSettings(env: Env = process.env): Settings {
  const parsed = SettingsSchema.safeParse(present(env));
  if (!parsed.success) {
    throw new SettingsError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'settings'}: ${issue.message}`),
    );
  }
  const values = parsed.data;
  const store = values.CARDFLOW_STORE ?? 'local';
  const problems: string[] = [];
  if (store === 'cosmos') {
    // A key connection or a keyless one; Event Grid with its key or, without one, the identity.
    if (!values.CosmosDBConnection && !values.CosmosDBConnection__accountEndpoint)
      problems.push(
        'CosmosDBConnection (a connection string) or CosmosDBConnection__accountEndpoint (keyless) is required when CARDFLOW_STORE=cosmos',
      );
    if (values.CosmosDBConnection && !/accountendpoint=/i.test(values.CosmosDBConnection))
      problems.push('CosmosDBConnection must be a connection string: AccountEndpoint=...;AccountKey=...;');
    if (!values.EVENTGRID_TOPIC_ENDPOINT)
      problems.push('EVENTGRID_TOPIC_ENDPOINT is required when CARDFLOW_STORE=cosmos');
  }
  if (problems.length > 0) throw new SettingsError(problems);
  const approvalTimeout = values.APPROVAL_TIMEOUT ?? DEFAULT_APPROVAL_TIMEOUT;
  return {
    store,
    dataDir: values.CARDFLOW_DATA_DIR ?? '.data',
    cosmosDatabase: values.COSMOS_DATABASE ?? DEFAULT_DATABASE,
    approvalThreshold: values.APPROVAL_THRESHOLD,
    velocityThreshold: values.VELOCITY_THRESHOLD,
    approvalTimeout,
    approvalTimeoutMs: tryParseDurationMs(approvalTimeout) as number,
    eventGridEndpoint: values.EVENTGRID_TOPIC_ENDPOINT,
    eventGridKey: values.EVENTGRID_TOPIC_KEY,
    cosmosAuth: store !== 'cosmos' ? undefined : values.CosmosDBConnection ? 'key' : 'identity',
    hostName: values.WEBSITE_HOSTNAME,
    reconcilerSchedule: values.RECONCILER_SCHEDULE ?? DEFAULT_RECONCILER_SCHEDULE,
    backlog: { maxCommands: values.BACKLOG_MAX_COMMANDS, retryAfterSeconds: values.BACKLOG_RETRY_AFTER },
  };
}

let cached: { key: string; settings: Settings } | undefined;

/**
 * Stops the start of an app that chose the local store without a local host to provide it: in
 * Azure, or a deployable package started on its own, the local store does not exist.
 */
export function assertStoreReachable(settings: Settings, onLocalHost: () => boolean = runsOnLocalHost): void {
  if (settings.store === 'local' && !onLocalHost()) {
    throw new SettingsError([
      'CARDFLOW_STORE is local (the default), but no local host runs this app: the local store exists only ' +
        'on the local host (`npm start`). In Azure, set CARDFLOW_STORE=cosmos and CosmosDBConnection__accountEndpoint (infra/ does).',
    ]);
  }
}

/**
 * The settings of the current process environment, re-read when it changes (a test host may set
 * different values for each host it starts in one process).
 */
export function currentSettings(env: Env = process.env): Settings {
  const key = JSON.stringify(present(env));
  if (cached?.key !== key) cached = { key, settings: loadSettings(env) };
  return cached.settings;
}

/** The approval policy a new transfer process captures in its input. */
export function transferPolicy(settings: Settings): TransferPolicy {
  return {
    approvalThreshold: settings.approvalThreshold,
    velocityThreshold: settings.velocityThreshold,
    approvalTimeout: settings.approvalTimeout,
  };
}
