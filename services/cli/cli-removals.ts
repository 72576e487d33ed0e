import type { Stores } from '../../shared/clients-from-config.js';
import type { Config } from '../../shared/config/index.js';
import { DynamoActivityStore } from '../../shared/dynamo/activity-store.js';
import { describeError, RemoteServiceError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { Removals } from '../removals/removals.js';
import type { CliIo } from './command-context.js';
import { loadConfig } from './lazy-config.js';

/**
 * The removals module of one CLI command, from the composition root every command and handler
 * uses (services/removals/compose-removals.ts), with what only the terminal adds: a progress bar
 * (JSON progress records with --json or off a terminal), SIGINT/SIGTERM as a graceful stop, the
 * idle re-judge's settings read when an apply first needs them, and one catch-up of a stale
 * activity record per apply (`activityCatchUp` below). Loaded on use, like every
 * command's heavy modules (`idsync --help` loads none of them).
 */
export async function cliRemovals(
  config: Pick<Config, 'core' | 'aws' | 'plan' | 'quicksight'> & Partial<Pick<Config, 'worker'>>,
  clients: { readonly stores: Stores; readonly logger: Logger },
  io: CliIo,
  options: { readonly dryRun: boolean; readonly json: boolean },
): Promise<Removals> {
  const { composeRemovals } = await import('../removals/compose-removals.js');
  const { buildQuickSight } = await import('../../shared/clients-from-config.js');
  const { NoticeStore } = await import('../notices/notice-store.js');
  // IDSYNC_GOOGLE_GROUP_WRITE=on: leave_group tasks take people out of Google groups.
  const google = config.plan.googleGroupWrite
    ? await import('../../shared/google/group-member-writer-from-config.js')
    : undefined;
  const { createGoogleManagers } = await import('../../shared/google/google-managers.js');
  const { stores, logger } = clients;
  // Every command that applies judges idle tasks again: the sections it needs for that are
  // read at the first apply, once for the command.
  let idle: Pick<Config, 'inactive' | 'activity' | 'notice'> | undefined;
  const idleConfig = () => {
    idle ??= loadConfig(['inactive', 'activity', 'notice'], io.env);
    return idle;
  };
  const say = (line: string) => io.stderr.write(`${line}\n`);
  return composeRemovals(
    config,
    {
      stores,
      logger,
      quickSight: () => buildQuickSight(config, logger),
      ...(google
        ? {
            groupMembers: () =>
              google.buildGroupMemberWriter({ ...loadConfig(['google'], io.env), aws: config.aws }),
          }
        : {}),
      // The plan's view of the handover, in a dry run too (read-only QuickSight calls).
      assetReads: () => buildQuickSight(config, logger),
      // IDSYNC_ASSET_SUCCESSOR=manager:…: the manager from the Google Directory (users.get).
      ...(config.plan.assetSuccessor?.kind === 'manager'
        ? {
            managers: () => {
              const { google, aws } = loadConfig(['google', 'aws'], io.env);
              return createGoogleManagers({
                credentialsPath: google.credentialsPath,
                subject: google.subject,
                rootUrl: google.rootUrl,
                ...(aws.timeouts ? { timeoutMs: aws.timeouts.requestMs } : {}),
              });
            },
          }
        : {}),
    },
    {
      dryRun: options.dryRun,
      idle: idleConfig,
      // IDSYNC_NOTICE_FROM: an idle user is deleted only as the notice rule allows.
      notices: () => {
        const { notice } = idleConfig();
        return notice.from
          ? { days: notice.days, store: new NoticeStore(stores.doc, stores.names.notices) }
          : undefined;
      },
      catchUp: {
        run: () =>
          activityCatchUp({ ...config, activity: idleConfig().activity }, stores, logger, say)(),
        onError: (error) => {
          logger.warn({ error: describeError(error) }, 'activity catch-up failed');
          say(`idle tasks: the activity catch-up failed (${describeError(error)})`);
        },
      },
      progress: { tty: io.stderr.isTTY === true && !options.json, stream: io.stderr },
      stopOnSignals: true,
    },
  );
}

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
