import type { DynamoActivityStore } from '../../shared/dynamo/activity-store.js';
import type { DynamoIdentityMap } from '../../shared/dynamo/identity-map-store.js';
import type { DynamoSnapshotStore } from '../../shared/dynamo/snapshot-store.js';
import { PartialSnapshotError } from '../../shared/errors.js';
import type { QuickSightScope } from '../../shared/quicksight-scopes.js';
import type { AttributionContext } from './attribution.js';
import { userDirectory } from './resolve-users.js';
import { retryPendingEvents } from './retry-pending.js';
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
 * snapshot's QuickSight users and the identity map make the user directory, the events kept
 * pending are retried against it (retry-pending.ts), then runActivitySyncRegions reads CloudTrail
 * in every configured region from its stored cursor.
 *
 * No sync without a COMPLETE snapshot: events can only be attributed against one (without it, a
 * session naming no email and an on-behalf-of event name nobody idsync could check, and the
 * span would be marked covered with their users' activity missing). It reads nothing, marks
 * nothing and throws PartialSnapshotError (exit 3).
 */
export const NO_SNAPSHOT_MESSAGE =
  'no COMPLETE snapshot yet: run idsync snapshot first; activity can only be attributed against one';

export interface ActivitySyncJobPorts {
  /** One LookupEvents port per region read (IDSYNC_ACTIVITY_REGIONS). */
  readonly regions: readonly RegionLookup[];
  readonly activity: RegionSyncStore & Pick<DynamoActivityStore, 'pendingEvents' | 'deletePending'>;
  /** The region the single cursor of earlier versions read (AWS_REGION). */
  readonly legacyRegion?: string;
  readonly snapshots: Pick<DynamoSnapshotStore, 'latestComplete' | 'quickSightUsers'>;
  readonly identities: Pick<DynamoIdentityMap, 'get'>;
  readonly attribution: Omit<AttributionContext, 'isKnownUserName'>;
  readonly clock?: () => Date;
  readonly shouldStop?: () => boolean;
  readonly onPage?: Parameters<typeof runActivitySync>[0]['onPage'];
}

/** What the job's ports are built from: the configuration and the stores every caller has. */
export interface ActivitySyncJobParts {
  readonly config: {
    readonly aws: { readonly region?: string | undefined };
    readonly quicksight: {
      readonly accountId: string;
      readonly namespace: string;
      readonly scopes?: readonly QuickSightScope[];
    };
    readonly activity: { readonly ignoredPrincipals: readonly string[] };
  };
  readonly regions: ActivitySyncJobPorts['regions'];
  readonly activity: ActivitySyncJobPorts['activity'];
  readonly snapshots: ActivitySyncJobPorts['snapshots'];
  readonly identities: ActivitySyncJobPorts['identities'];
}

/**
 * The job's ports as the CLI, its catch-up before idle deletions and the scheduled Lambda build
 * them (one place): the legacy cursor's region is AWS_REGION, attribution is the QuickSight
 * scopes (the home account and namespace without IDSYNC_QUICKSIGHT_ACCOUNTS) with
 * IDSYNC_ACTIVITY_IGNORED_PRINCIPALS.
 */
export function activitySyncJobPorts(parts: ActivitySyncJobParts): ActivitySyncJobPorts {
  const { config } = parts;
  return {
    regions: parts.regions,
    activity: parts.activity,
    ...(config.aws.region ? { legacyRegion: config.aws.region } : {}),
    snapshots: parts.snapshots,
    identities: parts.identities,
    attribution: {
      accountId: config.quicksight.accountId,
      namespace: config.quicksight.namespace,
      ...(config.quicksight.scopes ? { scopes: config.quicksight.scopes } : {}),
      ignoredPrincipals: config.activity.ignoredPrincipals,
    },
  };
}

export interface ActivitySyncJobResult extends RegionsSyncSummary {
  /** Run id of the snapshot the users were resolved against. */
  readonly snapshotRunId: string;
  /** Events kept pending by earlier runs that this run attributed. */
  readonly pendingResolved: number;
  /** Pending events dropped unresolved as older than any idle window (retry-pending.ts). */
  readonly pendingExpired: number;
  /** After the run: IdC users with events still pending, and those events. */
  readonly pendingUsers: number;
  readonly pendingEvents: number;
}

export async function runActivitySyncJob(
  ports: ActivitySyncJobPorts,
  options: ActivitySyncOptions,
): Promise<ActivitySyncJobResult> {
  const snapshot = await newestSnapshotUsers(ports.snapshots);
  if (!snapshot) throw new PartialSnapshotError(NO_SNAPSHOT_MESSAGE);
  const directory = userDirectory(ports.identities, snapshot.users, ports.attribution.namespace);
  const retried = await retryPendingEvents(
    ports.activity,
    directory,
    (ports.clock ?? (() => new Date()))().getTime(),
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
  let pendingUsers = retried.leftUsers;
  let pendingEvents = retried.leftEvents;
  if (summary.pending > 0) {
    // New ones were added: count what is stored (one more filtered Scan, only then).
    const items = await ports.activity.pendingEvents();
    pendingUsers = items.length;
    pendingEvents = items.reduce((n, i) => n + i.events, 0);
  }
  return {
    ...summary,
    snapshotRunId: snapshot.runId,
    pendingResolved: retried.resolved,
    pendingExpired: retried.expired,
    pendingUsers,
    pendingEvents,
  };
}
