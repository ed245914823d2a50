/**
 * The app's Event Grid publisher, for the primary event handler and the reminder activity alike:
 * EVENTGRID_TOPIC_ENDPOINT / EVENTGRID_TOPIC_KEY when set; keyless with the Cosmos store and no
 * key (in Azure: `DefaultAzureCredential`, the Function App's managed identity, which holds the
 * topic's EventGrid Data Sender role); otherwise, with the local store, the running local host's own topic (`http://{WEBSITE_HOSTNAME}/runtime/eventgrid/topics/cardflow`)
 * with its development key. One client per target, reused across invocations. It reads the
 * environment itself (empty values count as unset) so that activities need nothing of functions/.
 */
import { defaultAzureCredential } from './azureCredential';
import { EventGridEventPublisher, type EventPublisher } from './eventPublisher';
import { storeKindOf } from './storeKind';

/** The key the local Event Grid topic accepts when no EVENTGRID_TOPIC_KEY is configured. */
export const LOCAL_TOPIC_KEY = 'local-dev-key';
/** The topic name the local host serves for Cardflow. */
export const LOCAL_TOPIC_NAME = 'cardflow';

/** The settings the target depends on (functions/settings.ts `Settings` has this shape). */
export interface EventGridSettings {
  store: 'local' | 'cosmos';
  eventGridEndpoint?: string;
  eventGridKey?: string;
  /** `host:port` of the running host (WEBSITE_HOSTNAME). */
  hostName?: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

function setting(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

export function eventGridSettingsOf(env: Env = process.env): EventGridSettings {
  return {
    store: storeKindOf(env),
    eventGridEndpoint: setting(env, 'EVENTGRID_TOPIC_ENDPOINT'),
    eventGridKey: setting(env, 'EVENTGRID_TOPIC_KEY'),
    hostName: setting(env, 'WEBSITE_HOSTNAME'),
  };
}

/** A topic and its key; without a key, the publisher signs in with a token credential. */
export interface EventGridTarget {
  endpoint: string;
  key?: string;
}

/**
 * Where events are published (see the module comment).
 *
 * @throws Error when there is neither a configured topic nor a local host.
 * @example eventGridTarget({ store: 'local', hostName: '127.0.0.1:7071' }).endpoint // 'http://127.0.0.1:7071/runtime/eventgrid/topics/cardflow'
 */
export function eventGridTarget(settings: EventGridSettings): EventGridTarget {
  if (settings.eventGridEndpoint) {
    if (settings.eventGridKey) return { endpoint: settings.eventGridEndpoint, key: settings.eventGridKey };
    // Keyless in Azure; the local store's topic is the local host's, which takes its development key.
    return settings.store === 'cosmos'
      ? { endpoint: settings.eventGridEndpoint }
      : { endpoint: settings.eventGridEndpoint, key: LOCAL_TOPIC_KEY };
  }
  if (settings.store === 'local' && settings.hostName) {
    return {
      endpoint: `http://${settings.hostName}/runtime/eventgrid/topics/${LOCAL_TOPIC_NAME}`,
      key: settings.eventGridKey ?? LOCAL_TOPIC_KEY,
    };
  }
  throw new Error(
    'EVENTGRID_TOPIC_ENDPOINT is not set, and no local host is running (WEBSITE_HOSTNAME is not set)',
  );
}

let cached: { key: string; publisher: EventPublisher } | undefined;

/** The publisher for the current environment. @throws Error when no topic is configured or reachable. */
export function appEventPublisher(env: Env = process.env): EventPublisher {
  const target = eventGridTarget(eventGridSettingsOf(env));
  const key = `${target.endpoint}|${target.key ?? '(token credential)'}`;
  if (cached?.key !== key)
    cached = {
      key,
      publisher: new EventGridEventPublisher(
        target.key !== undefined
          ? target
          : { endpoint: target.endpoint, credential: defaultAzureCredential() },
      ),
    };
  return cached.publisher;
}
