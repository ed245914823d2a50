/**
 * The attribute names the app's spans and metrics use (docs/observability.md). The local host's
 * trace look-up and the dashboard's waterfall find a transfer's traces by {@link TRANSFER_ID}.
 */
export const TRANSFER_ID = 'cardflow.transfer_id';
export const ACCOUNT_ID = 'cardflow.account_id';
export const COMMAND_ID = 'cardflow.command_id';
export const COMMAND_TYPE = 'cardflow.command.type';
export const COMMAND_OUTCOME = 'cardflow.command.outcome';
export const COMMAND_REASON = 'cardflow.command.reason';
export const CORRELATION_ID = 'cardflow.correlation_id';
export const STREAM_ID = 'cardflow.stream_id';
export const STREAM_VERSION = 'cardflow.stream.version';
export const EVENT_TYPES = 'cardflow.event.types';
export const EVENT_ID = 'cardflow.event_id';
export const ORCHESTRATION = 'cardflow.orchestration';
export const INSTANCE_ID = 'cardflow.instance_id';
export const ACTIVITY = 'cardflow.activity';
/** A business refusal an activity answered with (`{ok: false, reason}`): an outcome, not an error. */
export const ACTIVITY_REFUSAL = 'cardflow.activity.refusal';
export const INVOCATION_ID = 'faas.invocation_id';
export const ENTITY = 'cardflow.entity';
export const DELIVERY_COUNT = 'cardflow.delivery.count';
/** What a secondary handler did with a delivery (e.g. `recorded`, `duplicate`). */
export const DELIVERY_OUTCOME = 'cardflow.delivery.outcome';
/** Which part of the system a span belongs to (the waterfall's "component" column). */
export const COMPONENT = 'cardflow.component';
