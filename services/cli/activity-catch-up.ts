import type { Stores } from '../../shared/clients-from-config.js';
import type { Config } from '../../shared/config/index.js';
import { DynamoActivityStore } from '../../shared/dynamo/activity-store.js';
import { RemoteServiceError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';

/**
 * The CLI's one catch-up of the activity record before idle tasks are judged again
 * (services/removals/worker/delete-checks.ts calls it at most once per run, only when an `inactive` task
 * finds the record's CloudTrail coverage older than IDSYNC_ACTIVITY_MAX_LAG_HOURS): `activity
 * sync` from the stored cursor, built as services/cli/commands/activity.ts builds it, asking for
 * one day of history so it reads the uncovered tail (the catch-up window) and no long backfill.
 */

/** History asked of the catch-up: the least `activity sync` takes (the tail is all it reads). */
const CATCH_UP_DAYS = 1;

export function activityCatchUp(
  config: Pick<Config, 'aws' | 'quicksight' | 'activity'>,
  stores: Pick<Stores, 'doc' | 'names' | 'snapshots' | 'identities'>,
  logger: Logger,
  say: (line: string) => void,
): () => Promise<void> {
  return async () => {
    const { buildCloudTrailLookups } = await import('../activity/runtime-activity.js');
    const { activitySyncJobPorts, runActivitySyncJob } = await import('../activity/sync-job.js');
    const activity = new DynamoActivityStore(stores.doc, stores.names.activity);
    const before = (await activity.coverage()).cloudtrail?.to;
    say(
      `idle tasks: the activity record ends at ${before ?? 'no time yet'}; catching it up from CloudTrail before judging them again`,
    );
    const lookups = buildCloudTrailLookups(config, logger);
    try {
      const result = await runActivitySyncJob(
        activitySyncJobPorts({
          config,
          regions: lookups.regions,
          activity,
          snapshots: stores.snapshots,
          identities: stores.identities,
        }),
        { days: CATCH_UP_DAYS },
      );
      // A region that failed leaves the account uncovered past it: say so as the failure it is.
      if (result.failed.length > 0) {
        const why = result.regions
          .filter((r) => r.error !== undefined)
          .map((r) => `${r.region}: ${r.error}`)
          .join('; ');
        throw new RemoteServiceError('CloudTrail', `activity sync failed in ${why}`, {
          retryable: true,
        });
      }
      logger.info(
        { pages: result.pages, events: result.events, covered: result.covered },
        'activity record caught up before judging idle tasks again',
      );
      say(`idle tasks: the activity record now ends at ${result.covered?.to ?? 'no time yet'}`);
    } finally {
      lookups.close();
    }
  };
}
