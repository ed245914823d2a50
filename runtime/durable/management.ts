/**
 * The management operations of a task hub, for the HTTP API and the `DurableService` surface:
 * start, raise, terminate, suspend / resume, rewind, purge, query, and entity signals and reads.
 * Each writes to the store and wakes the dispatcher; the episodes do the rest.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import type { AppRegistry } from '../contracts';
import { entityInstanceId } from './entities';
import type { EntityRecord } from './entityStore';
import { historyEvent, type HistoryEvent } from './historyEvents';
import type { DurableOperations } from './httpApi';
import type { InstanceWait } from './instanceWrites';
import type { DurableStore, InstanceFilter, InstanceRecord, RuntimeStatus } from './store';

export interface ManagementDeps {
  hubName: string;
  /** Put as `code=` into the management URLs; undefined in dev mode. */
  systemKey: string | undefined;
  store: DurableStore;
  clock: Clock;
  registry: AppRegistry;
  /** Lower-cased entity name → the registered entity function's name. */
  entityFunctions: ReadonlyMap<string, string>;
  /** Tells the dispatcher there is new work. */
  kick(): void;
  /** Re-arms the clock wake-up after durable timers or activity leases changed. */
  armTimerWake(): void;
}

type Answer = 'accepted' | 'notFound' | 'gone';

export class DurableManagement implements DurableOperations {
  readonly hubName: string;
  readonly systemKey: string | undefined;

  constructor(private readonly deps: ManagementDeps) {
    this.hubName = deps.hubName;
    this.systemKey = deps.systemKey;
  }

  isOrchestrator(name: string): boolean {
    return this.deps.registry.functions.get(name)?.trigger.type.toLowerCase() === 'orchestrationtrigger';
  }

  startNew(
    name: string,
    instanceId: string | undefined,
    input: string | null,
    version?: string,
  ): { ok: true; instanceId: string } | { ok: false; status: RuntimeStatus } {
    const id = instanceId ?? randomUUID().replace(/-/g, '');
    const result = this.deps.store.startInstance({
      instanceId: id,
      name,
      input,
      version: version ?? null,
      now: this.deps.clock.now(),
    });
    if (!result.started) return { ok: false, status: result.status };
    this.deps.kick();
    return { ok: true, instanceId: id };
  }

  getInstance(instanceId: string): InstanceRecord | undefined {
    return this.deps.store.getInstance(instanceId);
  }

  instanceWritten(instanceId: string, withinMs: number): InstanceWait {
    return this.deps.store.instanceWrites.next(instanceId, withinMs);
  }

  /** Ends every wait for an instance's write (the service stops). */
  closeWaits(): void {
    this.deps.store.instanceWrites.close();
  }

  history(instanceId: string): HistoryEvent[] {
    return this.deps.store.history(instanceId);
  }

  list(
    filter: InstanceFilter,
    pageSize: number,
    after?: { createdAt: number; instanceId: string },
  ): ReturnType<DurableStore['list']> {
    return this.deps.store.list(filter, pageSize, after);
  }

  raiseEvent(instanceId: string, name: string, input: string | null): Answer {
    return this.kickIfAccepted(this.deps.store.raiseEvent(instanceId, name, input, this.deps.clock.now()));
  }

  terminate(instanceId: string, reason: string | null): Answer {
    return this.kickIfAccepted(this.deps.store.requestTermination(instanceId, reason, this.deps.clock.now()));
  }

  suspend(instanceId: string, reason: string | null): Answer {
    const now = this.deps.clock.now();
    return this.kickIfAccepted(
      this.deps.store.requestControl(instanceId, historyEvent.executionSuspended(now, reason), now),
    );
  }

  resume(instanceId: string, reason: string | null): Answer {
    const now = this.deps.clock.now();
    return this.kickIfAccepted(
      this.deps.store.requestControl(instanceId, historyEvent.executionResumed(now, reason), now),
    );
  }

  rewind(instanceId: string, reason: string | null): 'accepted' | 'notFound' | 'notFailed' {
    const result = this.deps.store.rewind(instanceId, reason, this.deps.clock.now());
    if (result === 'accepted') {
      this.deps.kick();
      // Rewinding re-queues open timers and activities.
      this.deps.armTimerWake();
    }
    return result;
  }

  purge(instanceId: string): 'purged' | 'notFound' {
    return this.deps.store.purge(instanceId);
  }

  purgeWhere(filter: InstanceFilter): number {
    return this.deps.store.purgeWhere(filter);
  }

  isEntity(name: string): boolean {
    return this.deps.entityFunctions.has(name.toLowerCase());
  }

  /** Queues a signal (fire and forget) for an entity, as the client's `signalEntity` does. */
  signalEntity(name: string, key: string, operation: string, input: string | null): void {
    this.deps.store.entities.enqueue(
      [
        {
          entityId: entityInstanceId(name, key),
          operation,
          input,
          isSignal: true,
          requestId: randomUUID(),
          parentInstanceId: null,
          parentExecutionId: null,
        },
      ],
      this.deps.clock.now(),
    );
    this.deps.kick();
  }

  readEntity(name: string, key: string): EntityRecord | undefined {
    return this.deps.store.entities.get(entityInstanceId(name, key));
  }

  listEntities(
    filter: { name?: string; updatedFrom?: number; updatedTo?: number },
    pageSize: number,
    after?: string,
  ): { rows: EntityRecord[]; last?: string } {
    return this.deps.store.entities.list(filter, pageSize, after);
  }

  private kickIfAccepted(result: Answer): Answer {
    if (result === 'accepted') this.deps.kick();
    return result;
  }
}
