import type { DynamoIdentityMap } from '../../shared/dynamo/identity-map-store.js';
import type { DynamoSnapshotStore } from '../../shared/dynamo/snapshot-store.js';
import type { AttributionContext } from './attribution.js';
import { userDirectory } from './resolve-users.js';
import type { ActivitySyncOptions, runActivitySync } from './run-activity-sync.js';
import { newestSnapshotUsers } from './snapshot-users.js';
import {
  type RegionLookup,
  type RegionSyncStore,
  type RegionsSyncSummary,
  runActivitySyncRegions,
} from './sync-regions.js';

/**
 * `activity sync` as one job, for the CLI and the scheduled Lambda alike: the newest COMPLETE
 * snapshot's QuickSight users and the identity map make the user directory, then
 * runActivitySyncRegions reads CloudTrail in every configured region from its stored cursor.
 */
export interface ActivitySyncJobPorts {
  /** One LookupEvents port per region read (IDSYNC_ACTIVITY_REGIONS). */
  readonly regions: readonly RegionLookup[];
  readonly activity: RegionSyncStore;
  /** The region the single cursor of earlier versions read (AWS_REGION). */
  readonly legacyRegion?: string;
  readonly snapshots: Pick<DynamoSnapshotStore, 'latestComplete' | 'quickSightUsers'>;
  readonly identities: Pick<DynamoIdentityMap, 'get'>;
  readonly attribution: Omit<AttributionContext, 'isKnownUserName'>;
  readonly clock?: () => Date;
  readonly shouldStop?: () => boolean;
  readonly onPage?: Parameters<typeof runActivitySync>[0]['onPage'];
}

export interface ActivitySyncJobResult extends RegionsSyncSummary {
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
  const summary = await runActivitySyncRegions(
    {
      regions: ports.regions,
      store: ports.activity,
      ...(ports.legacyRegion ? { legacyRegion: ports.legacyRegion } : {}),
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
