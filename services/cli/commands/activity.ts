import type { Command } from 'commander';
import { PLAIN_INTEGER } from '../../../shared/config/plain-numbers.js';
import { UsageError } from '../../../shared/errors.js';
import { newRunId } from '../../../shared/run-id.js';
import { csvErrorRows } from '../csv-error-rows.js';
import { csvReadLine } from '../csv-read-line.js';
import { action, type CliContext, ExitCode, type GlobalOptions, printResult } from '../io.js';
import { loadConfig } from '../lazy-config.js';
import { readInput } from '../read-input.js';

/**
 * `idsync activity sync [--days N]` fills the activity record from CloudTrail (resumable,
 * paced to LookupEvents' 2 calls a second); `idsync activity import --csv FILE` from a console
 * or spreadsheet export. Both only write the activity record; nothing is deleted.
 */

const SECTIONS = ['quicksight', 'activity'] as const;

function parseDays(raw: string | undefined): number {
  if (raw === undefined) return 90;
  const days = Number(raw);
  // Plain digits only: `0x10` and `1e1` are integers to Number(), not days.
  if (!PLAIN_INTEGER.test(raw.trim()) || days < 1 || days > 90)
    throw new UsageError(
      `--days must be a whole number from 1 to 90 (the history CloudTrail keeps); got ${JSON.stringify(raw)}`,
    );
  return days;
}

const day = (iso: string | undefined) => (iso ? iso.slice(0, 16).replace('T', ' ') : '—');

export function registerActivity(program: Command, ctx: CliContext): void {
  const activity = program
    .command('activity')
    .description('fill the activity record (last activity per QuickSight user)');

  activity
    .command('sync')
    .description(
      'read QuickSight events from CloudTrail (LookupEvents, 2 calls/s) from the stored cursor; resumes after a crash; needs a COMPLETE snapshot (exit 3 without one)',
    )
    .option('--days <n>', 'history to cover on the first run, 1-90 days', '90')
    .action(
      action(ctx, async (flags: { days?: string }, command: Command) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        const days = parseDays(flags.days);
        const config = loadConfig(SECTIONS, ctx.io.env);
        const runtime = await import('../../../shared/runtime.js');
        const { buildCloudTrailLookup } = await import('../../../shared/runtime-activity.js');
        const { DynamoActivityStore } = await import('../../../shared/dynamo/activity-store.js');
        const { runActivitySyncJob } = await import('../../activity/sync-job.js');
        const logger = runtime.buildLogger(config);
        const stores = runtime.buildStores(config);
        const lookup = buildCloudTrailLookup(config, logger);
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
              lookup: lookup.port,
              activity: new DynamoActivityStore(stores.doc, stores.names.activity),
              snapshots: stores.snapshots,
              identities: stores.identities,
              attribution: {
                accountId: config.quicksight.accountId,
                namespace: config.quicksight.namespace,
                ignoredPrincipals: config.activity.ignoredPrincipals,
              },
              shouldStop: () => interrupted,
            },
            { days },
          );
          const ignored = Object.entries(result.ignored)
            .map(([reason, n]) => `${n} ${reason}`)
            .join(', ');
          const lines = [
            `activity sync: ${result.pages} LookupEvents pages, ${result.events} QuickSight events${result.resumed ? ' (resumed an interrupted window)' : ''}`,
            ...result.windows.map(
              (w) =>
                `  ${w.kind} ${day(w.from)} → ${day(w.to)} UTC: ${w.finished ? 'read' : 'interrupted'} (${w.pages} pages, ${w.events} events)`,
            ),
            `  attributed ${result.attributed}, on-behalf-of unresolved ${result.unresolved}, ignored ${ignored || '0'}`,
            `  pending (IdC users the identity map does not know yet): ${result.pending} events kept, ${result.pendingResolved} earlier ones attributed, ${result.pendingEvents} events of ${result.pendingUsers} IdC users still pending`,
            `  records written ${result.written} (${result.flushed} exact newest/oldest times flushed), unchanged (coalesced) ${result.unchanged}`,
            result.covered
              ? `  CloudTrail coverage: ${day(result.covered.from)} → ${day(result.covered.to)} UTC`
              : '  CloudTrail coverage: none yet',
            result.caughtUp
              ? '  caught up.'
              : '  stopped before catching up: run it again to resume from the cursor.',
          ];
          const calls = lookup.port.stats;
          lines.splice(
            1,
            0,
            `  LookupEvents calls ${calls.calls} (throttled ${calls.throttled}, retried ${calls.retries})`,
          );
          printResult(ctx.io, globals, { ...result, calls }, lines.join('\n'));
          return result.caughtUp ? ExitCode.Ok : ExitCode.ItemsFailed;
        } finally {
          process.off('SIGINT', onSigint);
          process.off('SIGTERM', onSigint);
          lookup.close();
          stores.close();
        }
      }),
    );

  activity
    .command('import')
    .description(
      'import last-active dates from a CSV (columns email or username, and last_active: ISO-8601 or yyyy-mm-dd)',
    )
    .option('--csv <file>', 'CSV file (UTF-8, UTF-16 with BOM, or Shift_JIS/CP932), or - for stdin')
    .action(
      action(ctx, async (flags: { csv?: string }, command: Command) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        if (!flags.csv) throw new UsageError('activity import needs --csv FILE');
        const config = loadConfig(SECTIONS, ctx.io.env);
        const importedAt = new Date();
        const { parseActivityCsv, importDeltas } = await import('../../activity/activity-csv.js');
        const csv = parseActivityCsv(await readInput(flags.csv), importedAt.getTime());
        const runtime = await import('../../../shared/runtime.js');
        const { DynamoActivityStore } = await import('../../../shared/dynamo/activity-store.js');
        const { newestSnapshotUsers } = await import('../../activity/snapshot-users.js');
        const stores = runtime.buildStores(config);
        try {
          const snapshot =
            csv.keyColumn === 'email' || csv.rows.length > 0
              ? await newestSnapshotUsers(stores.snapshots)
              : undefined;
          const found = importDeltas(
            csv,
            snapshot?.users,
            config.quicksight.namespace,
            importedAt.toISOString(),
          );
          const errors = [...csv.errors, ...found.errors].sort((a, b) => a.line - b.line);
          const runId = newRunId();
          const at = importedAt.toISOString();
          await stores.audit.append(csvErrorRows(errors, { runId, at, source: 'activity-import' }));
          const store = new DynamoActivityStore(stores.doc, stores.names.activity);
          let written = 0;
          for (let i = 0; i < found.deltas.length; i += 50) {
            const outcomes = await store.recordMany(found.deltas.slice(i, i + 50));
            written += outcomes.filter((o) => o === 'written').length;
          }
          const summary = {
            runId,
            rows: csv.rows.length,
            users: found.users,
            written,
            unchanged: found.users - written,
            duplicates: csv.duplicates,
            ...(csv.encoding ? { encoding: csv.encoding } : {}),
            errors,
          };
          const lines = [
            csvReadLine(flags.csv, csv.encoding),
            `activity import: ${csv.rows.length} rows (${csv.keyColumn}), ${found.users} QuickSight users, ${written} records written, ${found.users - written} unchanged; ${csv.duplicates} duplicate rows collapsed, ${errors.length} bad rows`,
            ...errors.map(
              (e) =>
                `  line ${e.line}: ${e.reason}${e.value ? ` (${JSON.stringify(e.value)})` : ''}`,
            ),
            ...(errors.length > 0 ? [`  bad rows are in the audit (run ${runId}).`] : []),
          ];
          printResult(ctx.io, globals, summary, lines.join('\n'));
          return errors.length > 0 ? ExitCode.ItemsFailed : ExitCode.Ok;
        } finally {
          stores.close();
        }
      }),
    );
}
