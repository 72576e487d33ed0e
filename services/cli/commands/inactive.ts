import type { Command } from 'commander';
import { DOWNGRADED_AUTHOR_ROLES } from '../../../shared/authoring.js';
import { CLOUDTRAIL_HISTORY_DAYS } from '../../../shared/cloudtrail-history.js';
import { PLAIN_INTEGER } from '../../../shared/config/plain-numbers.js';
import { UsageError } from '../../../shared/errors.js';
import { newRunId } from '../../../shared/run-id.js';
import { action, type CliContext, type GlobalOptions } from '../command-context.js';
import { dryRunLine, formatSummary } from '../format-applied.js';
import { describeDowngrades } from '../format-downgrades.js';
import { formatInactive, idleSoonRows, keptRows } from '../format-inactive.js';
import { formatPlan } from '../format-plan.js';
import { loadConfig } from '../lazy-config.js';
import { finishRun, hasInvalid, runExitCode } from '../run-exit.js';
import { type PlanFlags, readPlanFlags, withPlanFlags } from './plan.js';

type InactiveFlags = PlanFlags & {
  days?: string;
  warnDays?: string;
  apply?: boolean;
  report?: string;
  downgradeAuthors?: boolean;
};

/** A whole number of days in [1, CLOUDTRAIL_HISTORY_DAYS] (the history CloudTrail keeps). */
function daysFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  // Plain digits only: `0x10` and `1e1` are integers to Number(), not days.
  if (!PLAIN_INTEGER.test(value.trim()) || n < 1 || n > CLOUDTRAIL_HISTORY_DAYS) {
    throw new UsageError(
      `${name} must be a whole number of days from 1 to ${CLOUDTRAIL_HISTORY_DAYS} (got ${value})`,
    );
  }
  return n;
}

export function registerInactive(program: Command, ctx: CliContext): void {
  withPlanFlags(
    program
      .command('inactive')
      .description(
        'plan (and with --apply delete) idle users: an idle role (IDSYNC_INACTIVE_ROLES) and no activity in N days; dry run without --apply',
      )
      .option('--days <n>', 'days without activity (default IDSYNC_INACTIVE_DAYS, 60)')
      .option('--warn-days <w>', 'also list the users who turn idle within W days')
      .option('--apply', 'delete the idle users now (default: dry run)')
      .option(
        '--downgrade-authors',
        'judge Authors (Author Pro) instead, by their newest authoring event: each idle one becomes a Reader (Reader Pro) after the asset handover, never deleted',
      )
      .option('--report <file>', 'write the HTML report of this run to FILE'),
  ).action(
    action(ctx, async (flags: InactiveFlags, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const config = loadConfig(
        ['plan', 'quicksight', 'worker', 'inactive', 'activity', 'report', 'notice'],
        ctx.io.env,
      );
      const days = daysFlag('--days', flags.days) ?? config.inactive.days;
      const warnDays = daysFlag('--warn-days', flags.warnDays);
      const { override, limit } = readPlanFlags(flags);
      // IDSYNC_NOTICE_FROM: the templates are checked before anything is read. The notices
      // announce a deletion: a downgrade run (--downgrade-authors) sends none.
      const noticeStep =
        config.notice.from && flags.downgradeAuthors !== true
          ? await (await import('../notices-step.js')).prepareNoticeStep(config.notice)
          : undefined;
      const runtime = await import('../../../shared/clients-from-config.js');
      const { cliRemovals } = await import('../cli-removals.js');
      const logger = runtime.buildLogger(config);
      const stores = runtime.buildStores(config);
      const removals = await cliRemovals(config, { stores, logger }, ctx.io, {
        dryRun: flags.apply !== true,
        json: globals.json === true,
      });
      try {
        const now = new Date();
        const inactive = await removals.selectIdle({
          days,
          roles: config.inactive.roles,
          ...(warnDays === undefined ? {} : { warnDays }),
          ...(config.plan.managedUsernamePrefix
            ? { managedUsernamePrefix: config.plan.managedUsernamePrefix }
            : {}),
          keepGroups: config.inactive.keepGroups,
          now,
          maxLagMs: config.activity.maxLagMs,
          ...(flags.downgradeAuthors ? { downgradeAuthors: true } : {}),
        });
        const run = { io: ctx.io, globals, config, stores, logger, runId: newRunId() };
        const at = now.toISOString();
        await stores.audit.append([
          ...keptRows(run.runId, at, inactive.selection),
          ...idleSoonRows(run.runId, at, inactive.selection),
        ]);
        // IDSYNC_NOTICE_FROM: only users noticed long enough ago go on (services/notices/).
        const notices = await noticeStep?.(run, inactive.selection, {
          apply: flags.apply === true,
          now,
          limit,
        });
        const { plan, summary: applied } = await removals.run({
          kind: 'removals',
          runId: run.runId,
          ...(override ? { override } : {}),
          removals: notices?.removals ?? inactive.selection.removals,
        });
        return await finishRun(run, {
          reportFile: flags.report,
          result: {
            days,
            roles: config.inactive.roles,
            history: inactive.history,
            counts: inactive.selection.counts,
            idle: inactive.selection.idle,
            idleSoon: inactive.selection.idleSoon,
            kept: inactive.selection.kept,
            plan,
            applied,
            ...(notices ? { notices: notices.summary } : {}),
          },
          lines: [
            formatInactive(inactive, {
              days,
              ...(flags.downgradeAuthors
                ? { roles: DOWNGRADED_AUTHOR_ROLES, authoring: true }
                : { roles: config.inactive.roles }),
              keepGroups: config.inactive.keepGroups,
              warnDays,
              limit,
            }),
            ...(notices ? ['', notices.text] : []),
            '',
            formatPlan(plan, { limit }),
            ...(flags.downgradeAuthors
              ? ['', describeDowngrades(plan.plan.decisions, config.report.prices)]
              : []),
            ...(applied ? ['', formatSummary(applied)] : dryRunLine(plan)),
          ],
          exitCode:
            runExitCode({
              plan,
              ...(applied ? { applied } : {}),
              inputFailed: hasInvalid(plan),
            }) ||
            (notices?.exitCode ?? 0),
          dryRun: flags.apply !== true,
        });
      } finally {
        removals.close();
        stores.close();
      }
    }),
  );
}
