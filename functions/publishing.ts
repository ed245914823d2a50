/**
 * The app's Event Grid publisher, built from the settings (see `eventGridTarget`): one client per
 * target, reused across invocations.
 */
import { EventGridEventPublisher, type EventPublisher } from '../stores/eventPublisher';
import { currentSettings, eventGridTarget } from './settings';

let cached: { key: string; publisher: EventPublisher } | undefined;

/** The publisher for the current settings. @throws SettingsError when no topic is configured or reachable. */
export function appEventPublisher(): EventPublisher {
  const target = eventGridTarget(currentSettings());
  const key = `${target.endpoint}|${target.key}`;
  if (cached?.key !== key) cached = { key, publisher: new EventGridEventPublisher(target) };
  return cached.publisher;
}
