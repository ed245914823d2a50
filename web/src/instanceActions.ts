/**
 * Which management operations of the Durable HTTP API make sense for an instance, by its runtime
 * status (the extension's rules): events and termination reach only an instance that has not
 * finished; suspend a running one, resume a suspended one; rewind only a failed one; purge only a
 * finished one (Completed, Failed, Terminated). The monitor offers these and nothing else.
 */

export type InstanceAction = 'raiseEvent' | 'terminate' | 'suspend' | 'resume' | 'rewind' | 'purge';

/** Runtime statuses of an instance that has ended: nothing runs any more, its history can be purged. */
export const FINAL_STATUSES: readonly string[] = ['Completed', 'Failed', 'Terminated', 'Canceled'];

export function isFinalStatus(runtimeStatus: string): boolean {
  return FINAL_STATUSES.includes(runtimeStatus);
}

const ACTIONS: Readonly<Record<string, readonly InstanceAction[]>> = {
  Pending: ['raiseEvent', 'terminate', 'suspend'],
  Running: ['raiseEvent', 'terminate', 'suspend'],
  // Continued as new: the next execution is starting; it takes events and can be stopped.
  ContinuedAsNew: ['raiseEvent', 'terminate'],
  // A suspended instance keeps the events raised to it for when it resumes.
  Suspended: ['raiseEvent', 'terminate', 'resume'],
  Failed: ['rewind', 'purge'],
  Completed: ['purge'],
  Terminated: ['purge'],
  Canceled: ['purge'],
};

/**
 * The operations offered for an instance in `runtimeStatus`, in the order shown; none for a
 * status the monitor does not know.
 *
 * @example
 * actionsFor('Completed'); // ['purge']
 */
export function actionsFor(runtimeStatus: string): readonly InstanceAction[] {
  return ACTIONS[runtimeStatus] ?? [];
}
