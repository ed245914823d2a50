import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createHttpServer } from '@vercel/cosmosdb-server';
import { CosmosDBTriggerService, LocalDocumentStoreService } from '@cardflow/local-host';
import { defaultServices } from '@cardflow/local-host';
import { createTestHost } from '@cardflow/local-host';
import { fromEventDocument, getStores, type EventStore, type StoredEvent } from './index';

const APP = join(__dirname, '../runtime/docstore/test/fixtures/change-feed-app');
const fixture = ((globalThis as Record<string, unknown>).changeFeedFixture ??= {
  deliveries: [],
  failures: {},
}) as {
  deliveries: Array<{ functionName: string; documents: Array<Record<string, unknown>> }>;
};

function event(streamId: string, version: number): StoredEvent {
  return {
    id: `${streamId}/e${version}`,
    streamId,
    version,
    type: 'Happened',
    data: { version },
    metadata: {},
    schemaVersion: 1,
  };
}

describe('getStores()', () => {
  it('hands app code the local driver on the running host database, whose event appends fire cosmosDB triggers', async () => {
    const host = await createTestHost({
      appRoot: APP,
      services: [new LocalDocumentStoreService(), new CosmosDBTriggerService()],
      settings: { FIXTURE_DATABASE: 'cardflow' },
    });
    try {
      const events = getStores({}).events as unknown as EventStore<StoredEvent>;
      expect(getStores({})).toBe(getStores({}));
      await events.append('account-a1', 0, [event('account-a1', 1), event('account-a1', 2)]);
      await events.append('account-a1', 2, [event('account-a1', 3)]);
      await host.waitForIdle();
      const documents = fixture.deliveries
        .filter((d) => d.functionName === 'onEvents')
        .flatMap((d) => d.documents);
      expect(documents.map((d) => d.version)).toEqual([1, 2, 3]);
      expect(documents[0]).toMatchObject({ id: 'account-a1:1', eventId: 'account-a1/e1' });
      const row = host.db.prepare("SELECT body FROM doc_items WHERE id = 'account-a1:2'").get() as {
        body: string;
      };
      expect(fromEventDocument(JSON.parse(row.body) as object)).toEqual(event('account-a1', 2));
    } finally {
      await host.stop();
    }
    expect(() => getStores({})).toThrow(expect.objectContaining({ code: 'store_unavailable' }));
  });

  it('runs the document store and its triggers in every default host', () => {
    const names = defaultServices().map((s) => s.name);
    expect(names[0]).toBe('localDocumentStore');
    // The triggers start last, once everything they invoke runs.
    expect(names.slice(-2)).toEqual(['cosmosDBTrigger', 'timerTrigger']);
  });

  it('rejects unknown store kinds and a Cosmos choice without a connection', () => {
    expect(() => getStores({ CARDFLOW_STORE: 'postgres' })).toThrow(
      expect.objectContaining({ code: 'invalid_request' }),
    );
    expect(() => getStores({ CARDFLOW_STORE: 'cosmos' })).toThrow(/CosmosDBConnection/);
  });

  it('hands out the Cosmos driver for CARDFLOW_STORE=cosmos and a connection string', async () => {
    const server: Server = createHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const settings = {
        CARDFLOW_STORE: 'cosmos',
        CosmosDBConnection: `AccountEndpoint=http://127.0.0.1:${port}/;AccountKey=dGVzdA==;`,
        COSMOS_DATABASE: 'factory-test',
      };
      const stores = getStores(settings);
      expect(await stores.commands.submit({ id: 'cmd-1', type: 'OpenAccount', data: {} })).toBe('created');
      expect(await getStores(settings).commands.submit({ id: 'cmd-1', type: 'OpenAccount', data: {} })).toBe(
        'duplicate',
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
