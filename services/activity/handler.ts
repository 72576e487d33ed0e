import { activityLagFields } from '../../shared/activity-lag-metric.js';
import { buildStores, type Stores } from '../../shared/clients-from-config.js';
import type { ConfigFor, Env } from '../../shared/config/index.js';
import { DynamoActivityStore } from '../../shared/dynamo/activity-store.js';
import { RemoteServiceError, UsageError } from '../../shared/errors.js';
import {
  type Invocation,
  type LambdaOptions,
  lambdaHandler,
} from '../../shared/lambda/lambda-handler.js';
import type { Logger } from '../../shared/logger.js';
import { isQuickSightEnvelope, type LiveOutcome, LiveRecorder } from './record-live-event.js';
import { userDirectory } from './resolve-users.js';
import { buildCloudTrailLookups } from './runtime-activity.js';
import { newestSnapshotUsers } from './snapshot-users.js';
import {
  type ActivitySyncJobResult,
  activitySyncJobPorts,
  runActivitySyncJob,
} from './sync-job.js';
import { LOOKUP_HISTORY_DAYS } from './sync-windows.js';

/**
 * The activity Lambda: wiring only (container set-up: shared/lambda/lambda-handler.ts). Two
 * triggers:
 * - an EventBridge "Scheduled Event" (source `aws.events`) → `activity sync` over the full 90
 *   days CloudTrail keeps, from the stored cursor; it stops between pages once no more than
 *   `STOP_BEFORE_MS` of the invocation is left (the invocation's `deadline`), and the next invocation resumes; it reads every
 *   region of IDSYNC_ACTIVITY_REGIONS (sync-regions.ts), and a region that failed fails the
 *   invocation after the others finished; its log line carries the ActivityLagHours metric of
 *   the account-wide coverage (shared/activity-lag-metric.ts);
 * - an EventBridge QuickSight envelope (source `aws.quicksight`) → live attribution and the
 *   coalesced write (record-live-event.ts).
 * Anything else is a UsageError (the invocation fails, visible in the Errors metric).
 */

const SECTIONS = ['quicksight', 'activity'] as const;
type ActivityConfig = ConfigFor<(typeof SECTIONS)[number]>;
/** Time kept free at the end of an invocation: a page (≤ 10 s timeout) plus its writes. */
export const STOP_BEFORE_MS = 30_000;
/** How long a container reuses the snapshot's users for live events. */
const DIRECTORY_TTL_MS = 15 * 60_000;

export interface ActivityHandlerOptions extends LambdaOptions {
  readonly clock?: () => Date;
}

interface Container {
  readonly stores: Stores;
  readonly activity: DynamoActivityStore;
  readonly live: LiveRecorder;
  readonly lookups: ReturnType<typeof buildCloudTrailLookups>;
}

function buildContainer(config: ActivityConfig, logger: Logger): Container {
  const stores = buildStores(config);
  const activity = new DynamoActivityStore(stores.doc, stores.names.activity);
  const attribution = {
    accountId: config.quicksight.accountId,
    namespace: config.quicksight.namespace,
    scopes: config.quicksight.scopes,
    ignoredPrincipals: config.activity.ignoredPrincipals,
  };
  let directory: { at: number; value: ReturnType<typeof userDirectory> } | undefined;
  const live = new LiveRecorder({
    store: activity,
    attribution,
    directory: async () => {
      if (!directory || Date.now() - directory.at > DIRECTORY_TTL_MS) {
        const snapshot = await newestSnapshotUsers(stores.snapshots);
        directory = {
          at: Date.now(),
          value: userDirectory(stores.identities, snapshot?.users ?? [], attribution.namespace),
        };
      }
      return directory.value;
    },
  });
  return {
    stores,
    activity,
    live,
    lookups: buildCloudTrailLookups(config, logger),
  };
}

const isScheduled = (event: unknown): boolean => {
  const e = event as Record<string, unknown> | null;
  return e?.source === 'aws.events' && e['detail-type'] === 'Scheduled Event';
};

type ActivityEvent =
  | { readonly kind: 'scheduled' }
  | { readonly kind: 'live'; readonly event: unknown };

function parseActivityEvent(event: unknown): ActivityEvent {
  if (isQuickSightEnvelope(event)) return { kind: 'live', event };
  if (isScheduled(event)) return { kind: 'scheduled' };
  throw new UsageError(
    'activity event must be an EventBridge scheduled event or an aws.quicksight CloudTrail event',
  );
}

export function createActivityHandler(env: Env, options: ActivityHandlerOptions = {}) {
  return lambdaHandler(
    {
      name: 'activity',
      sections: SECTIONS,
      parse: parseActivityEvent,
      build: buildContainer,
      run: (event, invocation) => runActivity(event, invocation, options),
    },
    env,
    options,
  );
}

async function runActivity(
  event: ActivityEvent,
  { config, deps: c, logger, deadline }: Invocation<ActivityConfig, Container>,
  options: ActivityHandlerOptions,
): Promise<ActivitySyncJobResult | LiveOutcome> {
  if (event.kind === 'live') {
    const outcome = await c.live.record(event.event);
    logger.debug({ outcome }, 'live QuickSight event');
    return outcome;
  }
  const stop = deadline(STOP_BEFORE_MS);
  const result = await runActivitySyncJob(
    {
      ...activitySyncJobPorts({
        config,
        regions: c.lookups.regions,
        activity: c.activity,
        snapshots: c.stores.snapshots,
        identities: c.stores.identities,
      }),
      ...(options.clock ? { clock: options.clock } : {}),
      shouldStop: () => stop.aborted,
    },
    { days: LOOKUP_HISTORY_DAYS },
  );
  logger.info(
    {
      ...activityLagFields(config.core.tablePrefix, result.covered?.to, new Date()),
      pages: result.pages,
      events: result.events,
      written: result.written,
      caughtUp: result.caughtUp,
      stopped: result.stopped,
      covered: result.covered,
      regions: result.regions.map((r) => ({
        region: r.region,
        ...(r.summary
          ? { covered: r.summary.covered, caughtUp: r.summary.caughtUp, pages: r.summary.pages }
          : { error: r.error }),
      })),
    },
    'activity sync',
  );
  // A region that failed fails the invocation (Errors metric); the others' work is saved.
  if (result.failed.length > 0)
    throw new RemoteServiceError(
      'CloudTrail',
      `activity sync failed in ${result.regions
        .filter((r) => r.error)
        .map((r) => `${r.region} (${r.error})`)
        .join(', ')}; the other regions were read and every cursor is saved`,
      { retryable: true },
    );
  return result;
}

/** The Lambda entry point (`index.handler`). */
export const handler = createActivityHandler(process.env);
