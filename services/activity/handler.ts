import type { DestinationStream } from 'pino';
import { type ConfigFor, type Env, loadConfig } from '../../shared/config/index.js';
import { DynamoActivityStore } from '../../shared/dynamo/activity-store.js';
import { UsageError } from '../../shared/errors.js';
import { createLogger, type Logger } from '../../shared/logger.js';
import { buildLogger, buildStores, type Stores } from '../../shared/runtime.js';
import { buildCloudTrailLookup } from '../../shared/runtime-activity.js';
import { isQuickSightEnvelope, type LiveOutcome, LiveRecorder } from './record-live-event.js';
import { userDirectory } from './resolve-users.js';
import { newestSnapshotUsers } from './snapshot-users.js';
import { type ActivitySyncJobResult, runActivitySyncJob } from './sync-job.js';
import { LOOKUP_HISTORY_DAYS } from './sync-windows.js';

/**
 * The activity Lambda: wiring only. Two triggers:
 * - an EventBridge "Scheduled Event" (source `aws.events`) → `activity sync` over the full 90
 *   days CloudTrail keeps, from the stored cursor; it stops between pages when less than
 *   `STOP_BEFORE_MS` of the invocation is left, and the next invocation resumes;
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

export interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
}

export interface ActivityHandlerOptions {
  readonly logDestination?: DestinationStream;
  readonly clock?: () => Date;
}

interface Container {
  readonly config: ActivityConfig;
  readonly logger: Logger;
  readonly stores: Stores;
  readonly activity: DynamoActivityStore;
  readonly live: LiveRecorder;
  readonly lookup: ReturnType<typeof buildCloudTrailLookup>['port'];
}

function startContainer(env: Env, options: ActivityHandlerOptions): Container {
  const config = loadConfig(SECTIONS, env);
  const logger = options.logDestination
    ? createLogger({ level: config.core.logLevel, destination: options.logDestination })
    : buildLogger(config);
  const stores = buildStores(config);
  const activity = new DynamoActivityStore(stores.doc, stores.names.activity);
  const attribution = {
    accountId: config.quicksight.accountId,
    namespace: config.quicksight.namespace,
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
    config,
    logger,
    stores,
    activity,
    live,
    lookup: buildCloudTrailLookup(config, logger).port,
  };
}

const isScheduled = (event: unknown): boolean => {
  const e = event as Record<string, unknown> | null;
  return e?.source === 'aws.events' && e['detail-type'] === 'Scheduled Event';
};

export function createActivityHandler(env: Env, options: ActivityHandlerOptions = {}) {
  let container: Container | undefined;
  return async (
    event: unknown,
    context?: LambdaContextLike,
  ): Promise<ActivitySyncJobResult | LiveOutcome> => {
    if (!isScheduled(event) && !isQuickSightEnvelope(event))
      throw new UsageError(
        'activity event must be an EventBridge scheduled event or an aws.quicksight CloudTrail event',
      );
    container ??= startContainer(env, options);
    const c = container;
    if (isQuickSightEnvelope(event)) {
      const outcome = await c.live.record(event);
      c.logger.debug({ outcome }, 'live QuickSight event');
      return outcome;
    }
    const result = await runActivitySyncJob(
      {
        lookup: c.lookup,
        activity: c.activity,
        snapshots: c.stores.snapshots,
        identities: c.stores.identities,
        attribution: {
          accountId: c.config.quicksight.accountId,
          namespace: c.config.quicksight.namespace,
          ignoredPrincipals: c.config.activity.ignoredPrincipals,
        },
        ...(options.clock ? { clock: options.clock } : {}),
        ...(context
          ? { shouldStop: () => context.getRemainingTimeInMillis() < STOP_BEFORE_MS }
          : {}),
      },
      { days: LOOKUP_HISTORY_DAYS },
    );
    c.logger.info(
      {
        pages: result.pages,
        events: result.events,
        written: result.written,
        caughtUp: result.caughtUp,
        stopped: result.stopped,
        covered: result.covered,
      },
      'activity sync',
    );
    return result;
  };
}

/** The Lambda entry point (`index.handler`). */
export const handler = createActivityHandler(process.env);
