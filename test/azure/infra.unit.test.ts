/**
 * infra/ against the code, read as text (the Bicep compiler cannot be installed here): every
 * setting the app reads is set by the Function App's app settings, or is listed below with why
 * Azure does not set it; the values infra sets are ones the app accepts, its defaults the app's;
 * every container and partition key of the store layout is declared; every secondary handler has a
 * subscription with the retry policy and dead-lettering of DESIGN §6; the identity holds the roles
 * each keyless connection needs; Easy Auth's app roles are the app's; azure.yaml deploys the package.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  DEFAULT_APPROVAL_THRESHOLD,
  DEFAULT_APPROVAL_TIMEOUT,
  DEFAULT_VELOCITY_THRESHOLD,
} from '../../domain/approvalPolicy';
import { ROLES } from '../../functions/identity/caller';
import { DEFAULT_OUTFLOW_WINDOW_MODE } from '../../orchestrations/outflowWindow';
import {
  DEFAULT_BACKLOG_MAX_COMMANDS,
  DEFAULT_BACKLOG_RETRY_AFTER_SECONDS,
  DEFAULT_RECONCILER_SCHEDULE,
  loadSettings,
  SETTING_NAMES,
} from '../../functions/settings';
import { APP_FOLDERS } from '../../scripts/package';
import { CONTAINERS, DEFAULT_DATABASE } from '../../stores/layout';
import {
  flatObjects,
  INFRA,
  literal,
  modulePaths,
  objectEntries,
  paramDefault,
  readBicep,
  varBody,
  varElseBody,
  withoutComments,
} from './bicepText';

const REPO = path.resolve(__dirname, '..', '..');

/** Settings the app reads that infra/ deliberately leaves unset in Azure, and why. */
const NOT_SET_IN_AZURE: Record<string, string> = {
  CARDFLOW_DATA_DIR: 'the local store’s folder; Azure runs the Cosmos store',
  CosmosDBConnection:
    'a connection string with a key; Azure connects keyless (CosmosDBConnection__accountEndpoint)',
  EVENTGRID_TOPIC_KEY: 'the topic’s key; Azure publishes keyless (the topic has local auth disabled)',
  WEBSITE_HOSTNAME: 'set by the platform',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'an OTLP collector; Azure exports to Application Insights',
  OTEL_EXPORTER_OTLP_PROTOCOL: 'an OTLP collector; Azure exports to Application Insights',
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'an OTLP collector; Azure exports to Application Insights',
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'an OTLP collector; Azure exports to Application Insights',
  OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'an OTLP collector; Azure exports to Application Insights',
  OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'an OTLP collector; Azure exports to Application Insights',
  OTEL_METRIC_EXPORT_INTERVAL: 'the exporter’s default interval is kept',
};

/** Settings Azure Functions itself reads for the app's connections (identity-based, user-assigned identity). */
const CONNECTION_SETTINGS = [
  // The Cosmos DB trigger's `connection: 'CosmosDBConnection'`, identity-based.
  'CosmosDBConnection__accountEndpoint',
  'CosmosDBConnection__credential',
  'CosmosDBConnection__clientId',
  // The host's storage and the durable task hub on Azure Storage.
  'AzureWebJobsStorage__accountName',
  'AzureWebJobsStorage__credential',
  'AzureWebJobsStorage__clientId',
  // DefaultAzureCredential's user-assigned identity (stores/azureCredential.ts).
  'AZURE_CLIENT_ID',
];

function sources(folder: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(folder)) {
    const full = path.join(folder, entry);
    if (statSync(full).isDirectory()) {
      if (entry !== 'test' && entry !== 'fixtures') files.push(...sources(full));
    } else if (entry.endsWith('.ts') && !entry.endsWith('.test.ts')) files.push(full);
  }
  return files;
}

/** Every setting name the app's code reads: the settings module's, and any read elsewhere. */
function settingsTheAppReads(): Set<string> {
  const names = new Set<string>(SETTING_NAMES);
  const patterns = [
    /process\.env\.([A-Za-z_][A-Za-z0-9_]*)/g,
    /process\.env\[['"]([A-Za-z_][A-Za-z0-9_]*)['"]\]/g,
    /\benv\.([A-Z][A-Za-z0-9_]*)/g,
    /\bsettings\.([A-Z][A-Za-z0-9_]*)/g,
    /setting\(env, '([A-Za-z_][A-Za-z0-9_]*)'\)/g,
    /['"`]%([A-Za-z_][A-Za-z0-9_]*)%['"`]/g,
  ];
  for (const folder of APP_FOLDERS)
    for (const file of sources(path.join(REPO, folder))) {
      const text = withoutComments(readFileSync(file, 'utf8'));
      for (const pattern of patterns) for (const m of text.matchAll(pattern)) names.add(m[1]);
    }
  return names;
}

const functionApp = readBicep('app/functionApp.bicep');
const main = readBicep('main.bicep');
const appSettings = objectEntries(varBody(functionApp, 'appSettings'));
const schedulerSettings = objectEntries(varElseBody(functionApp, 'durableTaskSchedulerSettings'));

/** The value an app setting gets with main.bicep's defaults (placeholders for resource properties). */
function deployedValue(value: string): string {
  const text = literal(value);
  if (text !== undefined) return text;
  const param = /^(?:string\()?([A-Za-z_][A-Za-z0-9_]*)\)?$/.exec(value)?.[1];
  const fallback =
    param && /Endpoint$/.test(param) ? `https://${param.toLowerCase()}.example/` : 'resource-value';
  if (!param || !new RegExp(`^param ${param} `, 'm').test(main)) return fallback;
  const byDefault = paramDefault(main, param);
  return byDefault === undefined ? fallback : (literal(byDefault) ?? byDefault);
}

describe('infra/ against the code', () => {
  it('sets every app setting the app reads, or says why Azure does not', () => {
    const read = settingsTheAppReads();
    const unset = [...read, ...CONNECTION_SETTINGS].filter(
      (name) => !appSettings.has(name) && !(name in NOT_SET_IN_AZURE),
    );
    expect(unset).toEqual([]);
    // The list of exceptions stays true: each is read by the app, and none is set after all.
    for (const name of Object.keys(NOT_SET_IN_AZURE)) {
      expect([name, read.has(name)]).toEqual([name, true]);
      expect([name, appSettings.has(name)]).toEqual([name, false]);
    }
    // Flex Consumption refuses these: the runtime is its functionAppConfig.
    for (const name of [
      'FUNCTIONS_WORKER_RUNTIME',
      'FUNCTIONS_EXTENSION_VERSION',
      'WEBSITE_NODE_DEFAULT_VERSION',
    ])
      expect(appSettings.has(name)).toBe(false);
  });

  it('sets values the app accepts, with the app’s own defaults: keyless Cosmos DB and Event Grid', () => {
    const env = Object.fromEntries([...appSettings].map(([name, value]) => [name, deployedValue(value)]));
    expect(env).toMatchObject({
      CARDFLOW_STORE: 'cosmos',
      CosmosDBConnection__credential: 'managedidentity',
      AzureWebJobsStorage__credential: 'managedidentity',
      CARDFLOW_OUTFLOW_WINDOW: DEFAULT_OUTFLOW_WINDOW_MODE,
    });
    const settings = loadSettings(env);
    expect(settings).toMatchObject({
      store: 'cosmos',
      cosmosAuth: 'identity',
      eventGridKey: undefined,
      approvalThreshold: DEFAULT_APPROVAL_THRESHOLD,
      velocityThreshold: DEFAULT_VELOCITY_THRESHOLD,
      approvalTimeout: DEFAULT_APPROVAL_TIMEOUT,
      reconcilerSchedule: DEFAULT_RECONCILER_SCHEDULE,
      cosmosDatabase: DEFAULT_DATABASE,
      backlog: {
        maxCommands: DEFAULT_BACKLOG_MAX_COMMANDS,
        retryAfterSeconds: DEFAULT_BACKLOG_RETRY_AFTER_SECONDS,
      },
    });
    // One identity for everything: the same client id in every connection.
    for (const name of ['CosmosDBConnection__clientId', 'AzureWebJobsStorage__clientId', 'AZURE_CLIENT_ID'])
      expect(appSettings.get(name)).toBe('identityClientId');
    expect(paramDefault(main, 'cosmosDatabaseName')).toBe(`'${DEFAULT_DATABASE}'`);
  });

  it('points the Durable Task Scheduler backend at its connection through host.json overrides', () => {
    expect(Object.fromEntries(schedulerSettings)).toEqual({
      DURABLE_TASK_SCHEDULER_CONNECTION_STRING: 'durableTaskSchedulerConnection',
      AzureFunctionsJobHost__extensions__durableTask__storageProvider__type: "'azureManaged'",
      AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName:
        "'DURABLE_TASK_SCHEDULER_CONNECTION_STRING'",
    });
    const hostJson = JSON.parse(readFileSync(path.join(REPO, 'host.json'), 'utf8')) as {
      extensions: { durableTask: { hubName: string } };
    };
    const scheduler = readBicep('durable/scheduler.bicep');
    expect(paramDefault(scheduler, 'taskHubName')).toBe(`'${hostJson.extensions.durableTask.hubName}'`);
    expect(paramDefault(main, 'durableBackend')).toBe("'AzureStorage'");
  });

  it('declares every container of the store layout with its partition key, and nothing else', () => {
    const cosmos = readBicep('data/cosmos.bicep');
    const declared = flatObjects(varBody(cosmos, 'containers'));
    expect(Object.fromEntries(declared.map((c) => [c.name, c.partitionKey]))).toEqual(CONTAINERS);
    expect(declared).toHaveLength(Object.keys(CONTAINERS).length);
    expect(cosmos).toMatch(/partitionKey: \{ paths: \[container\.partitionKey\]/);
    expect(cosmos).toMatch(/capacity == 'serverless' \? \[\{ name: 'EnableServerless' \}\]/);
    expect(paramDefault(main, 'cosmosCapacity')).toBe("'serverless'");
    expect(cosmos).toMatch(/disableLocalAuth: true/);
  });

  it('subscribes every secondary handler, with Event Grid’s retry policy and dead letters', () => {
    // The app's Event Grid functions, as registered.
    const handlers = new Set<string>();
    for (const file of sources(path.join(REPO, 'functions'))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/app\.eventGrid\(\s*([A-Za-z_][A-Za-z0-9_]*|'[^']+')/g)) {
        const constant = new RegExp(`const ${m[1]} = '([^']+)'`).exec(text);
        handlers.add(m[1].startsWith("'") ? m[1].slice(1, -1) : (constant?.[1] ?? m[1]));
      }
    }
    expect(handlers.size).toBeGreaterThan(0);

    const subscriptionsBicep = readBicep('eventgrid/subscriptions.bicep');
    const loaded = /loadJsonContent\('([^']+)'\)\.subscriptions/.exec(subscriptionsBicep)?.[1];
    expect(loaded).toBeDefined();
    const file = path.resolve(INFRA, 'eventgrid', loaded as string);
    expect(file).toBe(path.join(REPO, 'eventgrid.local.json'));
    const { subscriptions } = JSON.parse(readFileSync(file, 'utf8')) as {
      subscriptions: Array<{
        name: string;
        functionName: string;
        retryPolicy: { maxDeliveryAttempts: number; eventTimeToLiveInMinutes: number };
        deadLetter?: boolean;
      }>;
    };
    expect(new Set(subscriptions.map((s) => s.functionName))).toEqual(handlers);
    for (const subscription of subscriptions) {
      expect(subscription.retryPolicy).toEqual({ maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 });
      expect(subscription.deadLetter).toBe(true);
    }
    // Each subscription as Bicep declares it: its function, CloudEvents, its filters, retries, dead letters.
    for (const expected of [
      /endpointType: 'AzureFunction'/,
      /resourceId: '\$\{functionApp\.id\}\/functions\/\$\{subscription\.functionName\}'/,
      /eventDeliverySchema: 'CloudEventSchemaV1_0'/,
      /includedEventTypes: subscription\.\?includedEventTypes/,
      /subjectBeginsWith: subscription\.\?subjectBeginsWith/,
      /maxDeliveryAttempts: subscription\.retryPolicy\.maxDeliveryAttempts/,
      /eventTimeToLiveInMinutes: subscription\.retryPolicy\.eventTimeToLiveInMinutes/,
      /deadLetterWithResourceIdentity: \(subscription\.\?deadLetter \?\? false\)/,
      /blobContainerName: deadLetterContainerName/,
    ])
      expect(subscriptionsBicep).toMatch(expected);
    expect(readBicep('eventgrid/topic.bicep')).toMatch(/inputSchema: 'CloudEventSchemaV1_0'/);
  });

  it('gives the identity the roles each keyless connection needs', () => {
    const roles: Array<[string, string, string]> = [
      ['data/cosmos.bicep', '00000000-0000-0000-0000-000000000002', 'Cosmos DB Built-in Data Contributor'],
      ['eventgrid/topic.bicep', 'd5a91429-5739-47e2-a06b-3470a27159e7', 'EventGrid Data Sender'],
      ['data/storage.bicep', 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b', 'Storage Blob Data Owner'],
      ['data/storage.bicep', '974c5e8b-45b9-4653-ba55-5f855dd0fb88', 'Storage Queue Data Contributor'],
      ['data/storage.bicep', '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3', 'Storage Table Data Contributor'],
      ['monitor/monitoring.bicep', '3913510d-42f4-4e42-8a64-420c390055eb', 'Monitoring Metrics Publisher'],
      ['durable/scheduler.bicep', '0ad04412-c4d5-4796-b79c-f76d14c8d402', 'Durable Task Data Contributor'],
    ];
    for (const [file, id, name] of roles) {
      const text = readBicep(file);
      expect([name, text.includes(id)]).toEqual([name, true]);
      expect([name, /principalId: identityPrincipalId/.test(text)]).toEqual([name, true]);
    }
    expect(readBicep('data/storage.bicep')).toMatch(/allowSharedKeyAccess: false/);
    expect(readBicep('eventgrid/topic.bicep')).toMatch(/disableLocalAuth: true/);
  });

  it('registers the app’s roles for App Service Authentication, keyless', () => {
    const registration = readBicep('identity/appRegistration.bicep');
    const declared = flatObjects(varBody(registration, 'roles').replace(/\n\s*/g, ' ')).map((r) => r.value);
    expect(declared).toEqual([...ROLES]);
    const localRoles = new Set(
      (
        JSON.parse(readFileSync(path.join(REPO, 'auth.local.example.json'), 'utf8')) as {
          users: Array<{ roles: string[] }>;
        }
      ).users.flatMap((u) => u.roles),
    );
    expect(new Set(declared)).toEqual(localRoles);
    const auth = readBicep('app/authentication.bicep');
    expect(auth).toMatch(/name: 'authsettingsV2'/);
    expect(auth).toMatch(/clientSecretSettingName: 'OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID'/);
    expect(appSettings.get('OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID')).toBe('identityClientId');
    expect(registration).toMatch(
      /redirectUris: \['https:\/\/\$\{appHostName\}\/\.auth\/login\/aad\/callback'\]/,
    );
  });

  it('runs on Flex Consumption with Node 20 or newer, outputs the API and dashboard URLs, and every module exists', () => {
    expect(functionApp).toMatch(/sku: \{ tier: 'FlexConsumption', name: 'FC1' \}/);
    expect(functionApp).toMatch(/runtime: \{ name: 'node', version: nodeVersion \}/);
    expect(Number(literal(paramDefault(functionApp, 'nodeVersion') as string))).toBeGreaterThanOrEqual(20);
    expect(main).toMatch(/^output API_URL string/m);
    expect(main).toMatch(/^output DASHBOARD_URL string/m);
    expect(readBicep('resources.bicep')).toMatch(
      /dashboardUrl string = 'https:\/\/\$\{functionApp\.outputs\.hostName\}\/api\/dashboard\/'/,
    );
    for (const file of ['main.bicep', 'resources.bicep'])
      for (const module of modulePaths(file)) expect([module, existsSync(module)]).toEqual([module, true]);
    // Every param main.bicep declares has a default, but the three azd fills in.
    const undefaulted = [...main.matchAll(/^param (\w+) \w+$/gm)].map((m) => m[1]);
    expect(undefaulted).toEqual(['environmentName', 'location']);
    const parameters = JSON.parse(readFileSync(path.join(INFRA, 'main.parameters.json'), 'utf8')) as {
      parameters: Record<string, unknown>;
    };
    for (const name of Object.keys(parameters.parameters))
      expect(main).toMatch(new RegExp(`^param ${name} `, 'm'));
  });

  it('deploys the package with azd: the api service is the tagged Function App, from out/functionapp', () => {
    const azure = readFileSync(path.join(REPO, 'azure.yaml'), 'utf8');
    expect(azure).toMatch(/^ {2}api:\n {4}project: \.\n {4}language: js\n {4}host: function\n/m);
    expect(azure).toMatch(/^ {4}dist: out\/functionapp$/m);
    expect(azure).toMatch(/run: node dist\/scripts\/package\.js/);
    expect(azure).toMatch(/^ {2}path: infra$/m);
    expect(functionApp).toMatch(/'azd-service-name': 'api'/);
    expect(readFileSync(path.join(REPO, '.funcignore'), 'utf8').split('\n')).toEqual(
      expect.arrayContaining(['runtime', 'test', 'local.settings.json', 'node_modules/@photostructure']),
    );
  });
});
