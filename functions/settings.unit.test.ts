import { eventGridTarget } from '../stores/appEventPublisher';
import { loadSettings, SettingsError } from './settings';

describe('settings', () => {
  it('uses the documented defaults when nothing is set', () => {
    const settings = loadSettings({});
    expect(settings).toMatchObject({
      store: 'local',
      cosmosDatabase: 'cardflow',
      approvalThreshold: 100_000,
      velocityThreshold: 250_000,
      approvalTimeout: 'PT24H',
      approvalTimeoutMs: 86_400_000,
      backlog: { maxCommands: 500, retryAfterSeconds: 5 },
    });
  });

  it('reads the back-pressure bound and the Retry-After', () => {
    expect(loadSettings({ BACKLOG_MAX_COMMANDS: ' 40 ', BACKLOG_RETRY_AFTER: '2' }).backlog).toEqual({
      maxCommands: 40,
      retryAfterSeconds: 2,
    });
  });

  it('reads thresholds and the timeout, treating empty values as unset', () => {
    const settings = loadSettings({
      APPROVAL_THRESHOLD: '5000',
      VELOCITY_THRESHOLD: ' 7000 ',
      APPROVAL_TIMEOUT: 'PT30S',
      COSMOS_DATABASE: '',
    });
    expect(settings).toMatchObject({
      approvalThreshold: 5_000,
      velocityThreshold: 7_000,
      approvalTimeoutMs: 30_000,
      cosmosDatabase: 'cardflow',
    });
  });

  it.each([
    [{ APPROVAL_THRESHOLD: '10.5' }, 'APPROVAL_THRESHOLD'],
    [{ APPROVAL_THRESHOLD: '0' }, 'APPROVAL_THRESHOLD'],
    [{ VELOCITY_THRESHOLD: 'lots' }, 'VELOCITY_THRESHOLD'],
    [{ APPROVAL_TIMEOUT: '24h' }, 'APPROVAL_TIMEOUT'],
    [{ APPROVAL_TIMEOUT: 'PT0S' }, 'APPROVAL_TIMEOUT'],
    [{ CARDFLOW_STORE: 'mongo' }, 'CARDFLOW_STORE'],
    [{ BACKLOG_MAX_COMMANDS: '0' }, 'BACKLOG_MAX_COMMANDS'],
    [{ BACKLOG_MAX_COMMANDS: 'many' }, 'BACKLOG_MAX_COMMANDS'],
    [{ BACKLOG_MAX_COMMANDS: '2000000' }, 'BACKLOG_MAX_COMMANDS'],
    [{ BACKLOG_RETRY_AFTER: '0' }, 'BACKLOG_RETRY_AFTER'],
    [{ BACKLOG_RETRY_AFTER: '1.5' }, 'BACKLOG_RETRY_AFTER'],
    [{ BACKLOG_RETRY_AFTER: '3601' }, 'BACKLOG_RETRY_AFTER'],
    [{ EVENTGRID_TOPIC_ENDPOINT: 'not a url' }, 'EVENTGRID_TOPIC_ENDPOINT'],
    [{ CARDFLOW_STORE: 'cosmos' }, 'CosmosDBConnection'],
    [{ CARDFLOW_STORE: 'cosmos' }, 'CosmosDBConnection__accountEndpoint'],
    [
      { CosmosDBConnection__accountEndpoint: 'cardflow.documents.azure.com' },
      'CosmosDBConnection__accountEndpoint',
    ],
    [
      {
        CARDFLOW_STORE: 'cosmos',
        CosmosDBConnection: 'cardflow',
        EVENTGRID_TOPIC_ENDPOINT: 'https://t.example/api',
      },
      'AccountEndpoint=',
    ],
    [
      { CARDFLOW_STORE: 'cosmos', CosmosDBConnection__accountEndpoint: 'https://a.documents.azure.com:443/' },
      'EVENTGRID_TOPIC_ENDPOINT',
    ],
  ])('refuses %p, naming the setting', (env, name) => {
    expect(() => loadSettings(env)).toThrow(SettingsError);
    expect(() => loadSettings(env)).toThrow(name);
  });

  it('names every bad setting at once', () => {
    try {
      loadSettings({ APPROVAL_THRESHOLD: 'x', APPROVAL_TIMEOUT: 'y' });
      throw new Error('expected a SettingsError');
    } catch (error) {
      expect((error as SettingsError).problems).toHaveLength(2);
    }
  });

  it('publishes to the configured topic, else to the local host topic', () => {
    expect(
      eventGridTarget(
        loadSettings({
          EVENTGRID_TOPIC_ENDPOINT: 'https://t.westeurope-1.eventgrid.azure.net/api/events',
          EVENTGRID_TOPIC_KEY: 'k',
        }),
      ),
    ).toEqual({
      endpoint: 'https://t.westeurope-1.eventgrid.azure.net/api/events',
      key: 'k',
    });
    expect(eventGridTarget(loadSettings({ WEBSITE_HOSTNAME: '127.0.0.1:7071' }))).toEqual({
      endpoint: 'http://127.0.0.1:7071/runtime/eventgrid/topics/cardflow',
      key: 'local-dev-key',
    });
    expect(() => eventGridTarget(loadSettings({}))).toThrow('EVENTGRID_TOPIC_ENDPOINT');
  });

  it('takes the keyless Azure configuration infra/ sets: an account endpoint and a topic without keys', () => {
    const settings = loadSettings({
      CARDFLOW_STORE: 'cosmos',
      CosmosDBConnection__accountEndpoint: 'https://cardflow.documents.azure.com:443/',
      EVENTGRID_TOPIC_ENDPOINT: 'https://t.westeurope-1.eventgrid.azure.net/api/events',
    });
    expect(settings).toMatchObject({ store: 'cosmos', cosmosAuth: 'identity', eventGridKey: undefined });
    expect(eventGridTarget(settings)).toEqual({
      endpoint: 'https://t.westeurope-1.eventgrid.azure.net/api/events',
    });
    expect(
      loadSettings({
        CARDFLOW_STORE: 'cosmos',
        CosmosDBConnection: 'AccountEndpoint=https://a.documents.azure.com:443/;AccountKey=a2V5;',
        CosmosDBConnection__accountEndpoint: 'https://b.documents.azure.com:443/',
        EVENTGRID_TOPIC_ENDPOINT: 'https://t.example/api',
        EVENTGRID_TOPIC_KEY: 'k',
      }).cosmosAuth,
    ).toBe('key');
    expect(loadSettings({}).cosmosAuth).toBeUndefined();
  });
});
