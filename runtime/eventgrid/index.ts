export {
  EventGridTopicService,
  DEFAULT_LOCAL_TOPIC_KEY,
  DEFAULT_SUBSCRIPTIONS_FILE,
  EVENTGRID_ROUTE_PREFIX,
} from './topicService';
export type { EventGridTopicOptions, DeadLetterRecord } from './topicService';
export type { Subscription, SubscriptionInput } from './subscriptions';
export type { CloudEventRecord } from './cloudEvents';
export { createSasToken } from './sas';
