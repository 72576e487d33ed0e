import { describe, expect, it } from 'vitest';
import { NO_SNAPSHOT_MESSAGE, runActivitySyncJob } from '../../../services/activity/sync-job.js';
import { PartialSnapshotError } from '../../../shared/errors.js';

/** The job the CLI and the scheduled Lambda share: nothing happens without a COMPLETE snapshot. */
describe('runActivitySyncJob', () => {
  it('without a COMPLETE snapshot reads nothing, writes nothing and throws PartialSnapshotError', async () => {
    const touched: string[] = [];
    const touch =
      (name: string) =>
      async (..._args: unknown[]): Promise<never> => {
        touched.push(name);
        throw new Error(`${name} must not be called`);
      };
    const run = runActivitySyncJob(
      {
        regions: [{ region: 'us-east-1', lookup: { lookup: touch('lookup') } }],
        activity: {
          cursorOf: touch('cursorOf') as never,
          putSyncRegions: touch('putSyncRegions'),
          coverage: touch('coverage'),
          recordMany: touch('recordMany'),
          addPending: touch('addPending'),
          pendingEvents: touch('pendingEvents'),
          deletePending: touch('deletePending'),
        },
        snapshots: {
          latestComplete: async () => [],
          quickSightUsers: touch('quickSightUsers') as never,
        },
        identities: { get: touch('get') },
        attribution: { accountId: '123456789012', namespace: 'default', ignoredPrincipals: [] },
      },
      { days: 90 },
    );
    await expect(run).rejects.toBeInstanceOf(PartialSnapshotError);
    await expect(run).rejects.toThrow(NO_SNAPSHOT_MESSAGE);
    expect(touched).toEqual([]);
  });
});
