/**
 * The command store on a container partitioned by `/id`: the command id (a hash of type and data)
 * is the document id, so a repeated request collides on create and is stored once. A repeat of a
 * rejected command is tried again on the same document (`retry`): a refusal is not a duplicate.
 */
import { hasStatus, type DocumentContainer } from './container';
import { StoreError } from './errors';
import type { CommandAttempt, CommandOutcome, CommandRecord, CommandStore, CommandSubmission } from './ports';

const OUTCOMES = ['succeeded', 'rejected', 'failed'];
// Optimistic retries when completing races with another writer of the same command.
const MAX_COMPLETE_ATTEMPTS = 5;

export class ContainerCommandStore implements CommandStore {
  constructor(
    private readonly commands: DocumentContainer,
    private readonly now: () => number = Date.now,
  ) {}

  async submit(command: CommandSubmission): Promise<'created' | 'duplicate'> {
    if (
      typeof command?.id !== 'string' ||
      command.id.length === 0 ||
      typeof command.type !== 'string' ||
      command.type.length === 0
    ) {
      throw new StoreError('invalid_request', 'a command has a non-empty id and type');
    }
    const record: CommandRecord = {
      id: command.id,
      type: command.type,
      data: command.data,
      ...(command.metadata !== undefined ? { metadata: command.metadata } : {}),
      status: 'pending',
      submittedAt: new Date(this.now()).toISOString(),
    };
    try {
      await this.commands.create(record);
      return 'created';
    } catch (error) {
      if (hasStatus(error, 409)) return 'duplicate';
      throw error;
    }
  }

  async complete(commandId: string, outcome: CommandOutcome): Promise<CommandRecord> {
    if (!OUTCOMES.includes(outcome?.status)) {
      throw new StoreError('invalid_request', `a command outcome is one of ${OUTCOMES.join(', ')}`);
    }
    for (let attempt = 1; ; attempt++) {
      const current = await this.commands.read<CommandRecord>(commandId, commandId);
      if (!current) throw new StoreError('not_found', `no command ${commandId}`);
      const { _etag, ...record } = current;
      const completed: CommandRecord = {
        ...record,
        status: outcome.status,
        completedAt: new Date(this.now()).toISOString(),
      };
      if (outcome.reason !== undefined) completed.reason = outcome.reason;
      else delete completed.reason;
      try {
        await this.commands.replace(completed, _etag);
        return completed;
      } catch (error) {
        if (!hasStatus(error, 412) || attempt >= MAX_COMPLETE_ATTEMPTS) throw error;
      }
    }
  }

  async retry(commandId: string): Promise<CommandRecord | undefined> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.commands.read<CommandRecord>(commandId, commandId);
      if (!current) return undefined;
      const { _etag, ...record } = current;
      if (record.status !== 'rejected') return record;
      const { reason, completedAt, ...rest } = record;
      const previous: CommandAttempt = {
        status: record.status,
        ...(reason !== undefined ? { reason } : {}),
        ...(completedAt !== undefined ? { completedAt } : {}),
      };
      const retried: CommandRecord = {
        ...rest,
        status: 'pending',
        submittedAt: new Date(this.now()).toISOString(),
        attempt: (record.attempt ?? 1) + 1,
        previousAttempts: [...(record.previousAttempts ?? []), previous],
      };
      try {
        // Replacing the document puts it on the change feed again: the handler picks the attempt up.
        await this.commands.replace(retried, _etag);
        return retried;
      } catch (error) {
        if (!hasStatus(error, 412) || attempt >= MAX_COMPLETE_ATTEMPTS) throw error;
      }
    }
  }

  async get(commandId: string): Promise<CommandRecord | undefined> {
    const document = await this.commands.read<CommandRecord>(commandId, commandId);
    if (!document) return undefined;
    const { _etag: _, ...record } = document;
    return record;
  }
}
