import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestHost } from '../testHost';
import { DEFAULT_LOCAL_TOPIC_KEY } from './topicService';
import { FIXTURE_APP, fixtureState, resetFixture } from './test/drive';
import { TopicClient, type StreamEvent } from './test/topicClient';

const opened: StreamEvent = {
  id: 'account-ac-1:1',
  streamId: 'account-ac-1',
  version: 1,
  type: 'AccountOpened',
  data: { accountId: 'ac-1' },
  metadata: { occurredAt: '2026-01-01T00:00:00.000Z' },
};

beforeEach(() => resetFixture());

describe('the local topic among the default host services', () => {
  it('takes the development key and the eventgrid.local.json of the app when nothing is configured', async () => {
    const host = await createTestHost({ appRoot: FIXTURE_APP });
    try {
      const publisher = new TopicClient(
        `${host.baseUrl}/runtime/eventgrid/topics/cardflow/api/events`,
        DEFAULT_LOCAL_TOPIC_KEY,
      );
      await publisher.publish([
        opened,
        { ...opened, id: 'account-ac-1:2', version: 2, type: 'AccountClosed' },
      ]);
      await host.waitForIdle();
      // The fixture's file subscribes auditTrail to AccountOpened only.
      expect(fixtureState().received.auditTrail.map((r) => r.event.id)).toEqual(['account-ac-1:1']);
      const subscriptions = await (await host.fetch('/runtime/eventgrid/subscriptions')).json();
      expect(subscriptions).toMatchObject({ value: [{ name: 'audit-trail', functionName: 'auditTrail' }] });
    } finally {
      await host.stop();
    }
  });

  it('reads the file named by EVENTGRID_SUBSCRIPTIONS_FILE, and refuses to start on an invalid one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eg-config-'));
    try {
      const file = join(dir, 'subs.json');
      writeFileSync(file, JSON.stringify({ subscriptions: [{ name: 'broken', endpoint: 'not a url' }] }));
      await expect(
        createTestHost({ appRoot: FIXTURE_APP, settings: { EVENTGRID_SUBSCRIPTIONS_FILE: file } }),
      ).rejects.toThrow(/subs\.json is invalid: subscriptions\.0\.endpoint/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
