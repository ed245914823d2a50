/** A bad setting stops the app from starting, with a message naming the setting. */
import { REPO_ROOT } from './harness';
import { createTestHost } from '@cardflow/local-host';

it('refuses to start with an APPROVAL_TIMEOUT that is not an ISO-8601 duration', async () => {
  await expect(
    createTestHost({
      appRoot: REPO_ROOT,
      settings: { APPROVAL_TIMEOUT: 'tomorrow', APPROVAL_THRESHOLD: '12.50' },
    }),
  ).rejects.toThrow(
    /APPROVAL_TIMEOUT must be a positive ISO-8601 duration[\s\S]*APPROVAL_THRESHOLD must be a whole number of cents|APPROVAL_THRESHOLD must be a whole number of cents[\s\S]*APPROVAL_TIMEOUT/,
  );
});
