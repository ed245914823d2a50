/**
 * What the app's functions do to transfer processes, over the durable client: find an instance's
 * status, start one exactly once per transfer id, and raise an approval decision or a cancel on it.
 */
import type { DurableClient } from 'durable-functions';
import {
  APPROVAL_DECISION_EVENT,
  CANCEL_TRANSFER_EVENT,
  TRANSFER_PROCESS,
  type ApprovalDecision,
  type CancelTransferEvent,
  type TransferProcessInput,
} from '../orchestrations/contracts';

/** Runtime statuses after which an instance takes no more events. */
const FINISHED = new Set(['Completed', 'Failed', 'Terminated', 'Canceled']);

export type InstanceState = { exists: false } | { exists: true; runtimeStatus: string; finished: boolean };

export class TransferProcessClient {
  constructor(private readonly client: DurableClient) {}

  async instance(transferId: string): Promise<InstanceState> {
    try {
      const status = await this.client.getStatus(transferId);
      const runtimeStatus = String(status.runtimeStatus);
      return { exists: true, runtimeStatus, finished: FINISHED.has(runtimeStatus) };
    } catch (error) {
      // The client reports a missing instance only through the message of its 404 error.
      if (error instanceof Error && /HTTP 404/.test(error.message)) return { exists: false };
      throw error;
    }
  }

  /**
   * Starts `transferProcess` with instance id = transfer id unless that instance exists; a start
   * refused because another delivery started it first counts as started. Returns whether this call started it.
   */
  async startOnce(input: TransferProcessInput): Promise<boolean> {
    if ((await this.instance(input.transferId)).exists) return false;
    try {
      await this.client.startNew(TRANSFER_PROCESS, { instanceId: input.transferId, input });
      return true;
    } catch (error) {
      if ((await this.instance(input.transferId)).exists) return false;
      throw error;
    }
  }

  async raiseDecision(transferId: string, decision: ApprovalDecision): Promise<void> {
    await this.client.raiseEvent(transferId, APPROVAL_DECISION_EVENT, decision);
  }

  async raiseCancel(transferId: string, cancel: CancelTransferEvent): Promise<void> {
    await this.client.raiseEvent(transferId, CANCEL_TRANSFER_EVENT, cancel);
  }

  /**
   * Where the transfer's process stands, for the app's own status route: no management URL (those
   * carry the host's key, for operators only), no history.
   */
  async status(transferId: string): Promise<ProcessStatus | undefined> {
    try {
      const status = await this.client.getStatus(transferId);
      return {
        instanceId: status.instanceId,
        runtimeStatus: String(status.runtimeStatus),
        customStatus: status.customStatus ?? null,
        output: status.output ?? null,
        createdTime: new Date(status.createdTime).toISOString(),
        lastUpdatedTime: new Date(status.lastUpdatedTime).toISOString(),
      };
    } catch (error) {
      if (error instanceof Error && /HTTP 404/.test(error.message)) return undefined;
      throw error;
    }
  }
}

export interface ProcessStatus {
  instanceId: string;
  runtimeStatus: string;
  customStatus: unknown;
  output: unknown;
  createdTime: string;
  lastUpdatedTime: string;
}
