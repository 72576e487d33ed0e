import type { Command } from 'commander';
import { CLOUDTRAIL_HISTORY_DAYS } from '../../../shared/cloudtrail-history.js';
import { PLAIN_INTEGER } from '../../../shared/config/plain-numbers.js';
import { PartialSnapshotError, UsageError } from '../../../shared/errors.js';
import { newRunId } from '../../../shared/run-id.js';
import {
  action,
  type CliContext,
  ExitCode,
  type GlobalOptions,
  printResult,
} from '../command-context.js';
import { CsvErrorAudit, csvErrorLines, SHOWN_BAD_ROWS } from '../csv-error-rows.js';
import { csvReadLine } from '../csv-read-line.js';
import { loadConfig } from '../lazy-config.js';
import { LineProgress, pageCounter } from '../line-progress.js';
import { openInput } from '../read-input.js';
import { runExitCode } from '../run-exit.js';

/**
 * `idsync activity sync [--days N]` fills the activity record from CloudTrail (resumable,
 * paced to LookupEvents' 2 calls a second); `idsync activity import --csv FILE --as-of DATE` from
 * a console or spreadsheet export taken at that date. Both only write the activity record; nothing is deleted.
 */

const SECTIONS = ['quicksight', 'activity'] as const;
type ImportFlags = { csv?: string; asOf?: string; scope?: string };

function parseDays(raw: string | undefined): number {
  if (raw === undefined) return CLOUDTRAIL_HISTORY_DAYS;
  const days = Number(raw);
  // Plain digits only: `0x10` and `1e1` are integers to Number(), not days.
  if (!PLAIN_INTEGER.test(raw.trim()) || days < 1 || days > CLOUDTRAIL_HISTORY_DAYS)
    throw new UsageError(
      `--days must be a whole number from 1 to ${CLOUDTRAIL_HISTORY_DAYS} (the history CloudTrail keeps); got ${JSON.stringify(raw)}`,
    );
  return days;
}

export function registerActivity(program: Command, ctx: CliContext): void {
  const activity = program
    .command('activity')
    .description('fill the activity record (last activity per QuickSight user)');

  activity
    .command('sync')
    .description(
      'read QuickSight events from CloudTrail (LookupEvents, 2 calls/s) from the stored cursor; resumes after a crash; needs a COMPLETE snapshot (exit 3 without one)',
    )
    .option(
      '--days <n>',
      `history to cover on the first run, 1-${CLOUDTRAIL_HISTORY_DAYS} days`,
      String(CLOUDTRAIL_HISTORY_DAYS),
    )
    .action(
      action(ctx, async (flags: { days?: string }, command: Command) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        const days = parseDays(flags.days);
        const config = loadConfig(SECTIONS, ctx.io.env);
        const runtime = await import('../../../shared/clients-from-config.js');
        const { ACCOUNTS_VARIABLE, buildCloudTrailLookups, historiesToRead } = await import(
          '../../activity/runtime-activity.js'
        );
        const { DynamoActivityStore } = await import('../../../shared/dynamo/activity-store.js');
        const { activitySyncJobPorts, runActivitySyncJob } = await import(
          '../../activity/sync-job.js'
        );
        const { formatActivitySync } = await import('../format-activity-sync.js');
        const { checkServiceRoles } = await import('../../../shared/aws/check-roles.js');
        // A role STS refuses is a configuration error (exit 2), not a failed region: the
        // CloudTrail role, and the roles of the other QuickSight accounts read.
        const accountRoles = historiesToRead(config.quicksight).flatMap((h) =>
          h.roleArn ? [{ roleArn: h.roleArn, variable: ACCOUNTS_VARIABLE }] : [],
        );
        await checkServiceRoles(config.aws, ['cloudtrail'], accountRoles);
        const logger = runtime.buildLogger(config);
        const stores = runtime.buildStores(config);
        const lookups = buildCloudTrailLookups(config, logger);
        // On a terminal: `activity sync: us-east-1 12 pages (340 events)`, redrawn per page.
        const line = new LineProgress(ctx.io.stderr);
        const countPage = pageCounter(line, 'activity sync', 'events');
        let interrupted = false;
        const onSigint = () => {
          interrupted = true;
          ctx.io.stderr.write('stopping after the current page (the cursor is saved)...\n');
        };
        process.once('SIGINT', onSigint);
        process.once('SIGTERM', onSigint);
        try {
          const result = await runActivitySyncJob(
            {
              ...activitySyncJobPorts({
                config,
                regions: lookups.regions,
                activity: new DynamoActivityStore(stores.doc, stores.names.activity),
                snapshots: stores.snapshots,
                identities: stores.identities,
              }),
              shouldStop: () => interrupted,
              onPage: (page) => countPage(page.region ?? 'CloudTrail', page.events),
            },
            { days },
          );
          line.done();
          const calls = lookups.stats();
          printResult(ctx.io, globals, { ...result, calls }, formatActivitySync(result, calls));
          // A failed region: one line on stderr after the summary, exit 4 (the cursors are saved).
          if (result.failed.length > 0) {
            ctx.io.stderr.write(
              `activity sync: CloudTrail failed in ${result.regions
                .filter((r) => r.error)
                .map((r) => `${r.region}: ${r.error}`)
                .join(
                  '; ',
                )}; the other regions were read and every cursor is saved: run it again to resume\n`,
            );
            return ExitCode.ItemsFailed;
          }
          return result.caughtUp ? ExitCode.Ok : ExitCode.ItemsFailed;
        } finally {
          line.done();
          process.off('SIGINT', onSigint);
          process.off('SIGTERM', onSigint);
          lookups.close();
          stores.close();
        }
      }),
    );

  activity
    .command('import')
    .description(
      'import last-active dates from a CSV export (columns email or username, and last_active: ISO-8601 with a zone or yyyy-mm-dd) taken at --as-of',
    )
    .option('--csv <file>', 'CSV file (UTF-8, UTF-16 with BOM, or Shift_JIS/CP932), or - for stdin')
    .option(
      '--as-of <date>',
      'when the export was taken (2026-11-30 or 2026-11-30T09:00Z): the import says nothing after it',
    )
    .option(
      '--scope <key>',
      'the QuickSight account and namespace the export is of: <account>/<namespace> for an account of IDSYNC_QUICKSIGHT_ACCOUNTS other than the home one (default: IDSYNC_QUICKSIGHT_NAMESPACE)',
    )
    .action(
      action(ctx, async (flags: ImportFlags, command: Command) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        if (!flags.csv) throw new UsageError('activity import needs --csv FILE');
        const importedAt = new Date();
        const { readActivityCsv, readAsOf } = await import('../../activity/activity-csv.js');
        const asOf = readAsOf(flags.asOf, importedAt.getTime());
        const config = loadConfig(SECTIONS, ctx.io.env);
        const scope = flags.scope ?? config.quicksight.namespace;
        if (!config.quicksight.scopes.some((s) => s.key === scope))
          throw new UsageError(
            `activity import: --scope ${scope} is none of the configured scopes (${config.quicksight.scopes.map((s) => s.key).join(', ')})`,
          );
        const input = await openInput(flags.csv);
        const runtime = await import('../../../shared/clients-from-config.js');
        const { DynamoActivityStore } = await import('../../../shared/dynamo/activity-store.js');
        const { newestSnapshotUsers, usersOfScope } = await import(
          '../../activity/snapshot-users.js'
        );
        const stores = runtime.buildStores(config);
        try {
          const snapshot = await newestSnapshotUsers(stores.snapshots);
          if (!snapshot) {
            throw new PartialSnapshotError(
              'no COMPLETE snapshot yet: run idsync snapshot first (an import names only QuickSight users the newest COMPLETE snapshot lists)',
            );
          }
          const runId = newRunId();
          const at = importedAt.toISOString();
          const audit = new CsvErrorAudit(stores.audit, { runId, at, source: 'activity-import' });
          const csv = await readActivityCsv(input, {
            asOf,
            nowMs: importedAt.getTime(),
            users: usersOfScope(snapshot.users, scope, config.quicksight.namespace),
            namespace: scope,
            keepErrors: SHOWN_BAD_ROWS,
            onRefused: (e) => audit.add(e),
          });
          await audit.flush();
          const { writeImport } = await import('../../activity/write-import.js');
          const { written, contradicted } = await writeImport(
            {
              doc: stores.doc,
              table: stores.names.activity,
              store: new DynamoActivityStore(stores.doc, stores.names.activity),
            },
            csv.deltas,
          );
          const users = csv.deltas.length;
          const refused = Object.entries(csv.refused).filter(([, n]) => n > 0);
          const summary = {
            runId,
            asOf: {
              from: new Date(asOf.earliest).toISOString(),
              to: new Date(asOf.latest).toISOString(),
            },
            snapshotRunId: snapshot.runId,
            keyColumn: csv.keyColumn,
            ...(csv.encoding ? { encoding: csv.encoding } : {}),
            rows: csv.rows,
            users,
            written,
            unchanged: users - written,
            contradicted,
            duplicates: csv.duplicates,
            refused: csv.refused,
            refusedRows: csv.errorCount,
            errors: csv.errors,
          };
          const lines = [
            csvReadLine(flags.csv, csv.encoding),
            `activity import (export as of ${asOf.text}): ${csv.rows} rows (${csv.keyColumn}), ${users} QuickSight users: ${written} records written, ${users - written} unchanged; ${csv.duplicates} duplicate rows collapsed; ${csv.errorCount} rows refused${refused.length > 0 ? ` (${refused.map(([why, n]) => `${n} ${why.replaceAll('_', ' ')}`).join(', ')})` : ''}`,
            ...(contradicted > 0
              ? [
                  `  ${contradicted} users: the record holds activity after the export's last-active date and before --as-of; their rows add no "nothing since" span`,
                ]
              : []),
            ...csvErrorLines(csv.errors, csv.errorCount, runId),
          ];
          printResult(ctx.io, globals, summary, lines.join('\n'));
          return runExitCode({ inputFailed: csv.errorCount > 0 });
        } finally {
          stores.close();
        }
      }),
    );
}
