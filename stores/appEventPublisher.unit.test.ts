import { appEventPublisher, eventGridSettingsOf, eventGridTarget } from './appEventPublisher';

describe('the app’s Event Grid target', () => {
  it('takes the configured topic, with the local key when none is set', () => {
    expect(
      eventGridTarget(eventGridSettingsOf({ EVENTGRID_TOPIC_ENDPOINT: 'https://t.example/api' })),
    ).toEqual({
      endpoint: 'https://t.example/api',
      key: 'local-dev-key',
    });
  });

  it('falls back to the running local host’s topic, and fails without one', () => {
    expect(eventGridTarget(eventGridSettingsOf({ WEBSITE_HOSTNAME: '127.0.0.1:7071' }))).toEqual({
      endpoint: 'http://127.0.0.1:7071/runtime/eventgrid/topics/cardflow',
      key: 'local-dev-key',
    });
    expect(() =>
      eventGridTarget(eventGridSettingsOf({ CARDFLOW_STORE: 'cosmos', WEBSITE_HOSTNAME: 'h:1' })),
    ).toThrow('EVENTGRID_TOPIC_ENDPOINT');
    expect(() => appEventPublisher({ EVENTGRID_TOPIC_ENDPOINT: ' ' })).toThrow('EVENTGRID_TOPIC_ENDPOINT');
  });

  it('reuses one client per target', () => {
    const env = { WEBSITE_HOSTNAME: '127.0.0.1:7071' };
    expect(appEventPublisher(env)).toBe(appEventPublisher(env));
  });
});
