import type { Stores } from '../../shared/clients-from-config.js';
import type { Config } from '../../shared/config/index.js';
import { describeError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { Removals } from '../removals/removals.js';
import type { CliIo } from './command-context.js';
import { loadConfig } from './lazy-config.js';

/**
 * The removals module of one CLI command, from the composition root every command and handler
 * uses (services/removals/compose-removals.ts), with what only the terminal adds: a progress bar
 * (JSON progress records with --json or off a terminal), SIGINT/SIGTERM as a graceful stop, the
 * idle re-judge's settings read when an apply first needs them, and one catch-up of a stale
 * activity record per apply (services/cli/activity-catch-up.ts). Loaded on use, like every
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
  const { activityCatchUp } = await import('./activity-catch-up.js');
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
