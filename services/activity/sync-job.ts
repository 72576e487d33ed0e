import type { QuickSightEventLookup } from '../../shared/aws/cloudtrail-lookup.js';
import type { DynamoIdentityMap } from '../../shared/dynamo/identity-map-store.js';
import type { DynamoSnapshotStore } from '../../shared/dynamo/snapshot-store.js';
import type { AttributionContext } from './attribution.js';
import { userDirectory } from './resolve-users.js';
import {
  type ActivityStorePort,
  type ActivitySyncOptions,
  type ActivitySyncSummary,
  runActivitySync,
} from './run-activity-sync.js';
import { newestSnapshotUsers } from './snapshot-users.js';

/**
 * `activity sync` as one job, for the CLI and the scheduled Lambda alike: the newest COMPLETE
 * snapshot's QuickSight users and the identity map make the user directory, then
 * runActivitySync reads CloudTrail from the stored cursor.
 */
export interface ActivitySyncJobPorts {
  readonly lookup: QuickSightEventLookup;
  readonly activity: ActivityStorePort;
  readonly snapshots: Pick<DynamoSnapshotStore, 'latestComplete' | 'quickSightUsers'>;
  readonly identities: Pick<DynamoIdentityMap, 'get'>;
  readonly attribution: Omit<AttributionContext, 'isKnownUserName'>;
  readonly clock?: () => Date;
  readonly shouldStop?: () => boolean;
  readonly onPage?: Parameters<typeof runActivitySync>[0]['onPage'];
}

export interface ActivitySyncJobResult extends ActivitySyncSummary {
  /** Run id of the snapshot the users were resolved against, if any. */
  readonly snapshotRunId?: string;
}

export async function runActivitySyncJob(
  ports: ActivitySyncJobPorts,
  options: ActivitySyncOptions,
): Promise<ActivitySyncJobResult> {
  const snapshot = await newestSnapshotUsers(ports.snapshots);
  const directory = userDirectory(
    ports.identities,
    snapshot?.users ?? [],
    ports.attribution.namespace,
  );
  const summary = await runActivitySync(
    {
      lookup: ports.lookup,
      store: ports.activity,
      directory,
      attribution: ports.attribution,
      ...(ports.clock ? { clock: ports.clock } : {}),
      ...(ports.shouldStop ? { shouldStop: ports.shouldStop } : {}),
      ...(ports.onPage ? { onPage: ports.onPage } : {}),
    },
    options,
  );
  return { ...summary, ...(snapshot ? { snapshotRunId: snapshot.runId } : {}) };
}
