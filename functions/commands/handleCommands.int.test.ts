/**
 * The command handler on change-feed batches, against the real local stores (SQLite in memory):
 * which deliveries it handles, which it skips, and what a skip costs.
 */
import { Database, LocalDocumentStore } from '@cardflow/local-host';
import { commandId } from '../../domain/commandId';
import type { ClientCommand } from '../../domain/commands';
import type { CommandRecord, CommandStore, StoreSet } from '../../stores';
import { createLocalStores } from '../../stores/local/localStores';
import { counted, type Counted } from '../../stores/test/counted';
import { handleCommands, type CommandHandlerDeps } from './handleCommands';

let db: Database;
let stores: StoreSet;
let commands: Counted<CommandStore>;
let deps: CommandHandlerDeps;

beforeEach(() => {
  db = new Database(':memory:');
  stores = createLocalStores(new LocalDocumentStore(db), { databaseName: 'cardflow' });
  commands = counted(stores.commands);
  deps = {
    stores: { ...stores, commands: commands.subject },
    processes: () => {
      throw new Error('no durable client in this test');
    },
    now: () => '2026-01-01T00:00:00.000Z',
  };
});
afterEach(() => db.close());

const open = (accountId: string): ClientCommand => ({
  type: 'OpenAccount',
  data: { accountId, ownerId: 'alice', ownerName: 'Alice', kind: 'user' },
});
const load = (accountId: string, loadId: string): ClientCommand => ({
  type: 'LoadCredits',
  data: { accountId, loadId, amount: 1_000, loadedBy: 'otto' },
});

/** Submits the command and answers its document as the change feed delivers it now. */
async function submitted(command: ClientCommand): Promise<CommandRecord> {
  const id = commandId(command.type, command.data);
  await stores.commands.submit({ id, type: command.type, data: command.data });
  return (await stores.commands.get(id))!;
}

describe('handleCommands', () => {
  it('handles a pending command, and skips its completed document without a read', async () => {
    const pending = await submitted(open('acc-1'));
    expect(await handleCommands(deps, [pending])).toEqual([
      { commandId: pending.id, result: 'completed', outcome: { status: 'succeeded' } },
    ]);
    // One read of the command, then its outcome recorded.
    expect(commands.calls).toEqual(['get', 'complete']);

    commands.calls = [];
    const completed = (await stores.commands.get(pending.id))!;
    expect(completed.status).toBe('succeeded');
    expect(await handleCommands(deps, [completed])).toEqual([{ commandId: pending.id, result: 'skipped' }]);
    expect(commands.calls).toEqual([]);
    expect(await stores.events.streamVersion('account-acc-1')).toBe(1);
  });

  it('skips a stale pending document of a command already completed, after reading it', async () => {
    const pending = await submitted(open('acc-1'));
    await handleCommands(deps, [pending]);
    commands.calls = [];
    expect(await handleCommands(deps, [pending])).toEqual([{ commandId: pending.id, result: 'skipped' }]);
    expect(commands.calls).toEqual(['get']);
    expect(await stores.events.streamVersion('account-acc-1')).toBe(1);
  });

  it('handles a rejected command again once it is retried', async () => {
    const early = await submitted(load('acc-1', 'ld-1'));
    // No account yet: rejected.
    const [first] = await handleCommands(deps, [early]);
    expect(first).toMatchObject({ result: 'completed', outcome: { status: 'rejected' } });
    const rejected = (await stores.commands.get(early.id))!;
    expect(await handleCommands(deps, [rejected])).toEqual([{ commandId: early.id, result: 'skipped' }]);

    await handleCommands(deps, [await submitted(open('acc-1'))]);
    const retried = (await stores.commands.retry(early.id))!;
    expect(retried.status).toBe('pending');
    const [second] = await handleCommands(deps, [retried]);
    expect(second).toMatchObject({ result: 'completed', outcome: { status: 'succeeded' } });
    expect(await stores.events.streamVersion('account-acc-1')).toBe(2);
  });
});
