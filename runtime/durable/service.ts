/**
 * The durable backend as a host service: its lifecycle. `start` wires the parts on the host's
 * database and clock — the dispatcher (what runs next), the runners of episodes, activities and
 * entity batches, the management operations and the Durable HTTP API — and provides the
 * `durableClient` input binding; `stop` lets running work drain.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HostContext, HostService, InputProvider, InvokeRequest } from '../contracts';
import type { HostRouter } from '../http/router';
import { runActivityItem } from './activityItems';
import { durableClientData } from './clientData';
import { HTTP_TOKENS_SETTING, parseHttpTokens } from './durableHttp';
import { Dispatcher } from './dispatcher';
import { runEntityBatch } from './entityBatches';
import type { EntityRecord } from './entityStore';
import type { HistoryEvent } from './historyEvents';
import { createDurableHttpApi, type DurableOperations } from './httpApi';
import type { InstanceWait } from './instanceWrites';
import { DurableManagement } from './management';
import { runEpisode } from './orchestrationEpisodes';
import { DEFAULT_HUB_NAME, resolveDurableSettings, type DurableServiceOptions } from './settings';
import { DurableStore, type InstanceFilter, type InstanceRecord, type RuntimeStatus } from './store';
import { entityFunctionsOf, type WorkContext } from './workContext';

export type { DurableServiceOptions } from './settings';

/** What a started service runs on. */
interface Running {
  dispatcher: Dispatcher;
  management: DurableManagement;
  api: HostRouter;
  drainTimeoutMs: number;
}

export class DurableService implements HostService, DurableOperations {
  readonly name = 'durable';
  hubName = DEFAULT_HUB_NAME;
  systemKey: string | undefined;
  private running: Running | undefined;

  constructor(private readonly options: DurableServiceOptions = {}) {}

  start(ctx: HostContext): void {
    const settings = resolveDurableSettings(this.options, ctx.registry.hostJson);
    const store = new DurableStore(ctx.db);
    const entityFunctions = entityFunctionsOf(
      ctx.registry.byTriggerType('entityTrigger').map((fn) => fn.name),
    );
    this.hubName = settings.hubName;
    this.systemKey = ctx.systemKey;
    const httpTokens = this.options.httpTokens ?? parseHttpTokens(ctx.settings[HTTP_TOKENS_SETTING]);
    const work: WorkContext = {
      httpTokens,
      store,
      clock: ctx.clock,
      invoke: ctx.invoke,
      log: ctx.log,
      settings,
      entityFunctions,
      isStopped: () => dispatcher.stopped,
      armTimerWake: () => dispatcher.armTimerWake(),
      durable: () => ctx.durable(),
    };
    const dispatcher = new Dispatcher(
      store,
      ctx.clock,
      ctx.log,
      {
        orchestrations: settings.maxConcurrentOrchestrations,
        activities: settings.maxConcurrentActivities,
        entities: settings.maxConcurrentEntities,
      },
      {
        episode: (instanceId) => runEpisode(work, instanceId),
        entityBatch: (entityId) => runEntityBatch(work, entityId),
        activity: (item) => runActivityItem(work, item),
      },
    );
    const management = new DurableManagement({
      hubName: this.hubName,
      systemKey: this.systemKey,
      store,
      clock: ctx.clock,
      registry: ctx.registry,
      entityFunctions,
      kick: () => dispatcher.kick(),
      armTimerWake: () => dispatcher.armTimerWake(),
    });
    this.running = {
      dispatcher,
      management,
      api: createDurableHttpApi(management),
      drainTimeoutMs: settings.drainTimeoutMs,
    };
    // The public URLs use the address the caller used when an HTTP request is at hand (as Azure
    // builds them from the request URL); the RPC base stays the host's own loopback address.
    const clientData: InputProvider = (_binding, _fn, request) => ({
      string: JSON.stringify(
        durableClientData(callerOrigin(request) ?? ctx.baseUrl, this.hubName, this.systemKey, ctx.baseUrl),
      ),
    });
    ctx.provideInput('durableClient', clientData);
    ctx.provideInput('orchestrationClient', clientData);
    // Work left by a previous run (timers, messages, leased activities) resumes at once.
    dispatcher.armTimerWake();
    dispatcher.kick();
  }

  async stop(): Promise<void> {
    // Requests waiting for an instance to finish answer now: nothing will write it any more.
    this.running?.management.closeWaits();
    await this.running?.dispatcher.stop(this.running.drainTimeoutMs);
  }

  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    return this.running ? this.running.api.handle(req, res, url) : Promise.resolve(false);
  }

  isIdle(): boolean {
    return this.running?.dispatcher.isIdle() ?? true;
  }

  // ---- management operations (HTTP API, tests, benchmarks) ----

  isOrchestrator(name: string): boolean {
    return this.operations().isOrchestrator(name);
  }

  startNew(
    name: string,
    instanceId: string | undefined,
    input: string | null,
    version?: string,
  ): { ok: true; instanceId: string } | { ok: false; status: RuntimeStatus } {
    return this.operations().startNew(name, instanceId, input, version);
  }

  getInstance(instanceId: string): InstanceRecord | undefined {
    return this.operations().getInstance(instanceId);
  }

  instanceWritten(instanceId: string, withinMs: number): InstanceWait {
    return this.operations().instanceWritten(instanceId, withinMs);
  }

  history(instanceId: string): HistoryEvent[] {
    return this.operations().history(instanceId);
  }

  list(
    filter: InstanceFilter,
    pageSize: number,
    after?: { createdAt: number; instanceId: string },
  ): ReturnType<DurableStore['list']> {
    return this.operations().list(filter, pageSize, after);
  }

  raiseEvent(instanceId: string, name: string, input: string | null): 'accepted' | 'notFound' | 'gone' {
    return this.operations().raiseEvent(instanceId, name, input);
  }

  terminate(instanceId: string, reason: string | null): 'accepted' | 'notFound' | 'gone' {
    return this.operations().terminate(instanceId, reason);
  }

  suspend(instanceId: string, reason: string | null): 'accepted' | 'notFound' | 'gone' {
    return this.operations().suspend(instanceId, reason);
  }

  resume(instanceId: string, reason: string | null): 'accepted' | 'notFound' | 'gone' {
    return this.operations().resume(instanceId, reason);
  }

  rewind(instanceId: string, reason: string | null): 'accepted' | 'notFound' | 'notFailed' {
    return this.operations().rewind(instanceId, reason);
  }

  purge(instanceId: string): 'purged' | 'notFound' {
    return this.operations().purge(instanceId);
  }

  purgeWhere(filter: InstanceFilter): number {
    return this.operations().purgeWhere(filter);
  }

  isEntity(name: string): boolean {
    return this.operations().isEntity(name);
  }

  /** Queues a signal (fire and forget) for an entity, as the client's `signalEntity` does. */
  signalEntity(name: string, key: string, operation: string, input: string | null): void {
    this.operations().signalEntity(name, key, operation, input);
  }

  readEntity(name: string, key: string): EntityRecord | undefined {
    return this.operations().readEntity(name, key);
  }

  listEntities(
    filter: { name?: string; updatedFrom?: number; updatedTo?: number },
    pageSize: number,
    after?: string,
  ): { rows: EntityRecord[]; last?: string } {
    return this.operations().listEntities(filter, pageSize, after);
  }

  private operations(): DurableManagement {
    if (!this.running) throw new Error('the durable service is not started');
    return this.running.management;
  }
}

/** The origin of an HTTP-triggered invocation's request (built from its Host header); else undefined. */
function callerOrigin(request: InvokeRequest): string | undefined {
  const http = request.triggerData.http as { url?: unknown } | undefined;
  if (typeof http?.url !== 'string') return undefined;
  try {
    return new URL(http.url).origin;
  } catch {
    return undefined;
  }
}

/** The durable backend for `startHost({services})` / `defaultServices()`. */
export function createDurableService(options: DurableServiceOptions = {}): DurableService {
  return new DurableService(options);
}
