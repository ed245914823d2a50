/**
 * The transfer process manager on a test host, without the app's HTTP API: accounts and transfer
 * requests are seeded straight into the event store (as the command handler would append them),
 * the orchestration is started and decided through the Durable HTTP API, and the virtual clock
 * moves time. Needs `npm run build` (the fixture app loads dist/).
 */
import path from 'node:path';
import { createTestHost, type TestHost } from '@cardflow/local-host';
import { LocalDocumentStoreService } from '@cardflow/local-host';
import { createDurableService } from '@cardflow/local-host';
import { EventGridTopicService } from '@cardflow/local-host';
import {
  accountDecider,
  accountStreamId,
  envelopeAll,
  fromEnvelope,
  splitLoad,
  transferStreamId,
  type AccountEvent,
  type AccountState,
  type DomainEvent,
  type EventEnvelope,
} from '../../domain';
import type { RequestTransfer } from '../../domain/commands';
import {
  APPROVAL_DECISION_EVENT,
  TRANSFER_PROCESS,
  type TransferPolicy,
  type TransferProcessInput,
} from '../../orchestrations/contracts';
import { DEFAULT_DATABASE, type EventStore } from '../../stores';
import { createLocalStores } from '../../stores/local/localStores';
import { LocalDocumentStore } from '@cardflow/local-host';

export const PROCESS_APP = path.join(__dirname, 'fixtures/process-app');
export const DURABLE_API = '/runtime/webhooks/durabletask';
export const HOUR = 60 * 60 * 1000;
export const DEFAULT_POLICY: TransferPolicy = {
  approvalThreshold: 100_000,
  velocityThreshold: 250_000,
  approvalTimeout: 'PT24H',
};

export interface InstanceStatus {
  runtimeStatus: string;
  customStatus: {
    state: string;
    outcome: string | null;
    reason: string | null;
    approvalReason: string | null;
    reminderSent: boolean;
    approver: string | null;
    deadline: string | null;
  } | null;
  output: { outcome: string; reason: string | null } | null;
  historyEvents?: Array<Record<string, unknown>>;
}

export class ProcessHarness {
  private constructor(
    readonly host: TestHost,
    readonly events: EventStore,
  ) {}

  /** `eventGrid: false` runs the host without its Event Grid topic (publishing then fails). */
  static async start(
    settings: Record<string, string> = {},
    { eventGrid = true, dataFile }: { eventGrid?: boolean; dataFile?: string } = {},
  ): Promise<ProcessHarness> {
    const services = [
      new LocalDocumentStoreService(),
      createDurableService(),
      ...(eventGrid ? [new EventGridTopicService()] : []),
    ];
    const host = await createTestHost({
      appRoot: PROCESS_APP,
      services,
      settings,
      ...(dataFile ? { dataFile } : {}),
    });
    return new ProcessHarness(
      host,
      createLocalStores(new LocalDocumentStore(host.db, { clock: host.clock }), {
        databaseName: DEFAULT_DATABASE,
        clock: host.clock,
      }).events,
    );
  }

  async stop(): Promise<void> {
    // Let work still in flight (a run that failed mid-way on a loaded machine) finish first: the
    // host's drain is bounded, and app code that outlives its host would write into the next
    // host's database (the local store is published process-wide), e.g. a property test's next run.
    await this.host.waitForIdle({ timeoutMs: 30_000 }).catch(() => undefined);
    await this.host.stop();
  }

  now(): string {
    return new Date(this.host.clock.now()).toISOString();
  }

  /** Opens an account owned by `ownerId` and loads `load` cents (above 500.00, so no fee: net = load). */
  async openAccount(accountId: string, ownerId: string, load = 0): Promise<void> {
    const opened: DomainEvent[] = [
      { type: 'AccountOpened', data: { accountId, ownerId, ownerName: ownerId, kind: 'user' } },
    ];
    if (load > 0) {
      const { fee, net } = splitLoad(load);
      opened.push({
        type: 'CreditsLoaded',
        data: { accountId, loadId: `load-${accountId}`, amount: load, fee, net },
      });
    }
    await this.append(accountStreamId(accountId), opened, `seed-${accountId}`);
  }

  /** Appends TransferRequested and starts the process, as the command handler and the primary handler do. */
  async requestTransfer(
    transfer: Omit<RequestTransfer['data'], 'note'>,
    policy: TransferPolicy = DEFAULT_POLICY,
  ): Promise<void> {
    await this.append(
      transferStreamId(transfer.transferId),
      [{ type: 'TransferRequested', data: transfer }],
      `request-${transfer.transferId}`,
    );
    const input: TransferProcessInput = {
      ...transfer,
      requestedAt: this.now(),
      policy,
      correlationId: `corr-${transfer.transferId}`,
      causationId: `request-${transfer.transferId}:0`,
    };
    const res = await this.host.fetch(
      `${DURABLE_API}/orchestrators/${TRANSFER_PROCESS}/${transfer.transferId}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input),
      },
    );
    if (res.status !== 202)
      throw new Error(`start ${transfer.transferId}: ${res.status} ${await res.text()}`);
    await this.host.waitForIdle();
  }

  /** Raises `ApprovalDecision` through the Durable HTTP API, as an operator would. */
  async raiseDecision(transferId: string, decision: unknown): Promise<number> {
    const res = await this.host.fetch(
      `${DURABLE_API}/instances/${transferId}/raiseEvent/${APPROVAL_DECISION_EVENT}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(decision),
      },
    );
    await this.host.waitForIdle();
    return res.status;
  }

  async status(transferId: string, query = ''): Promise<InstanceStatus> {
    const res = await this.host.fetch(`${DURABLE_API}/instances/${transferId}${query}`);
    if (res.status === 404) throw new Error(`no instance ${transferId}`);
    return (await res.json()) as InstanceStatus;
  }

  async stream(streamId: string): Promise<EventEnvelope[]> {
    return this.events.readStream(streamId);
  }

  async eventTypes(streamId: string): Promise<string[]> {
    return (await this.stream(streamId)).map((e) => e.type);
  }

  async account(accountId: string): Promise<{ available: number; reserved: number }> {
    const state = (await this.stream(accountStreamId(accountId))).reduce<AccountState>(
      (s, e) => accountDecider.evolve(s, fromEnvelope(e) as AccountEvent),
      accountDecider.initialState,
    );
    return state.status === 'none'
      ? { available: 0, reserved: 0 }
      : { available: state.available, reserved: state.reserved };
  }

  /** Appends events to a stream as if a command had decided them (e.g. an account closing meanwhile), optionally under given ids. */
  appendTo(streamId: string, events: DomainEvent[], ids?: string[]): Promise<void> {
    return this.append(streamId, events, `manual-${streamId}-${Date.now()}`, ids);
  }

  private async append(
    streamId: string,
    events: DomainEvent[],
    idPrefix: string,
    ids?: string[],
  ): Promise<void> {
    const expectedVersion = await this.events.streamVersion(streamId);
    const metadata = { correlationId: idPrefix, causationId: idPrefix, occurredAt: this.now() };
    await this.events.append(
      streamId,
      expectedVersion,
      envelopeAll(events, { streamId, expectedVersion, metadata, idPrefix, ...(ids ? { ids } : {}) }),
    );
  }
}
