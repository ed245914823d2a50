/**
 * The actions an orchestrator returns in its OrchestratorState (replay schema V2+): `actions[0]` is
 * the cumulative list of everything the orchestration has scheduled since it started, with
 * Task.all / Task.any kept as compound nodes.
 */

export const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  CallSubOrchestrator: 2,
  CallSubOrchestratorWithRetry: 3,
  ContinueAsNew: 4,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
  CallEntity: 7,
  CallHttp: 8,
  SignalEntity: 9,
  WhenAny: 11,
  WhenAll: 12,
  LockEntities: 13,
  ReleaseEntities: 14,
} as const;

/** The SDK's RetryOptions as serialized in a *WithRetry action. */
export interface RetryPolicy {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
  retryTimeoutInMilliseconds?: number;
}

export interface Action {
  actionType: number;
  functionName?: string;
  input?: unknown;
  retryOptions?: RetryPolicy;
  instanceId?: string;
  version?: string;
  fireAt?: string;
  isCanceled?: boolean;
  externalEventName?: string;
  compoundActions?: Action[];
  [field: string]: unknown;
}

/** What the orchestrator function returns (as JSON) after an episode. */
export interface OrchestratorState {
  isDone: boolean;
  actions: Action[][];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
  schemaVersion?: number;
}

const isCompound = (a: Action): boolean =>
  a.actionType === ActionType.WhenAll || a.actionType === ActionType.WhenAny;

/**
 * The leaves of the cumulative action list, depth-first, in the order the SDK numbered them.
 *
 * @example
 * flattenActions([[activity('a'), whenAll([activity('b'), timer])]]) // → [a, b, timer]
 */
export function flattenActions(actions: Action[][] | undefined): Action[] {
  const leaves: Action[] = [];
  const walk = (list: Action[]): void => {
    for (const action of list) {
      if (isCompound(action)) walk(action.compoundActions ?? []);
      else leaves.push(action);
    }
  };
  // Schema V2+ puts every action in actions[0]; tolerate V1-style episode groups too.
  for (const group of actions ?? []) walk(group ?? []);
  return leaves;
}

/** Does this action take a task id from the SDK's sequence counter? */
export function takesTaskId(action: Action): boolean {
  switch (action.actionType) {
    case ActionType.WaitForExternalEvent:
    case ActionType.ContinueAsNew:
    case ActionType.ReleaseEntities:
      return false;
    default:
      return true;
  }
}

/**
 * Activity and ContinueAsNew inputs arrive already JSON-encoded when they are strings (the SDK's
 * `processInput`); everything else is a plain value. Returns the JSON text to store and pass on.
 */
export function processedInputJson(input: unknown): string | null {
  if (input === undefined) return null;
  return typeof input === 'string' ? input : JSON.stringify(input);
}

/** Sub-orchestration inputs are raw values. */
export function rawInputJson(input: unknown): string | null {
  return input === undefined ? null : JSON.stringify(input);
}
