/**
 * The Cosmos driver when Cosmos DB cannot be reached at all (nothing listens at the endpoint): every
 * port answers with `store_unavailable` (503), the error the HTTP API turns into a 503 problem and
 * the handlers retry, instead of the SDK's raw connection error (which became a 500).
 */
import type { CosmosClient } from '@azure/cosmos';
import { isStoreError } from '../errors';
import type { StoredEvent } from '../ports';
import { unreachableCosmosClient } from '../test/unreachableCosmos';
import { createCosmosStores } from './cosmosStores';

const event: StoredEvent = {
  id: 'account-u1/e1',
  streamId: 'account-u1',
  version: 1,
  type: 'Happened',
  data: {},
  metadata: {},
  schemaVersion: 1,
};

describe('the Cosmos driver with Cosmos DB unreachable', () => {
  let client: CosmosClient;
  beforeAll(async () => {
    client = await unreachableCosmosClient();
  });
  afterAll(() => client.dispose());

  const operations: Array<[string, (stores: ReturnType<typeof createCosmosStores>) => Promise<unknown>]> = [
    ['commands.submit', (s) => s.commands.submit({ id: 'cmd-u1', type: 'OpenAccount', data: {} })],
    ['commands.get', (s) => s.commands.get('cmd-u1')],
    ['views.get', (s) => s.views.get('account-u1', 'account')],
    ['events.readStream', (s) => s.events.readStream('account-u1')],
    ['events.append to a new stream (one batch)', (s) => s.events.append('account-u1', 0, [event] as never)],
    [
      'events.append to a stream at a version (a query, then a batch)',
      (s) => s.events.append('account-u1', 1, [{ ...event, id: 'account-u1/e2', version: 2 }] as never),
    ],
  ];

  it.each(operations)('%s fails with store_unavailable (503)', async (_, operation) => {
    const stores = createCosmosStores({ client, databaseName: 'unreachable', sleep: async () => undefined });
    const error = await operation(stores).then(
      () => new Error('expected a failure'),
      (e: unknown) => e,
    );
    expect(isStoreError(error, 'store_unavailable')).toBe(true);
    expect(error).toMatchObject({ status: 503, message: expect.stringMatching(/unreachable/) });
  });
});
