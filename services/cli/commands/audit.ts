import type { Command } from 'commander';
import { UsageError } from '../../../shared/errors.js';
import { AUDIT_FORMATS, type AuditFormat } from '../../audit/audit-format.js';
import { parseSince } from '../../audit/since.js';
import {
  action,
  type CliContext,
  ExitCode,
  type GlobalOptions,
  printResult,
  writeText,
} from '../command-context.js';
import { loadConfig } from '../lazy-config.js';

interface AuditFlags {
  run?: string;
  email?: string;
  userId?: string;
  since?: string;
  format?: string;
  out?: string;
}

/** The format asked for: --format, else the --out file's extension, else JSON with --json, else a table. */
export function chooseFormat(
  flags: AuditFlags,
  json: boolean,
  fromFile?: AuditFormat,
): AuditFormat {
  if (flags.format !== undefined) {
    const format = flags.format.trim().toLowerCase();
    if (!(AUDIT_FORMATS as readonly string[]).includes(format))
      throw new UsageError(
        `--format ${JSON.stringify(flags.format)}: use ${AUDIT_FORMATS.join(', ')}`,
      );
    return format as AuditFormat;
  }
  return fromFile ?? (json && !flags.out ? 'json' : 'table');
}

export function registerAudit(program: Command, ctx: CliContext): void {
  program
    .command('audit')
    .description(
      'query/export the audit through its indexes (no filter: the newest run of the last 30 days)',
    )
    .option('--run <id>', 'rows of one run (table key)')
    .option('--email <email>', 'rows about one person (GSI byEmail)')
    .option('--user-id <id>', 'rows about one IdC user id (GSI byUserId)')
    .option('--since <time>', 'rows from this time on: 2026-11-27, 2026-11-27T09:00Z, 24h, 7d, 2w')
    .option('--format <format>', `${AUDIT_FORMATS.join(' | ')} (default: from --out, else table)`)
    .option('--out <file>', 'write to FILE (a .csv file gets a UTF-8 BOM for Excel)')
    .action(
      action(ctx, async (flags: AuditFlags, command: Command) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        const { formatForFile, runAudit } = await import('../../audit/run-audit.js');
        const format = chooseFormat(flags, globals.json === true, formatForFile(flags.out));
        const now = new Date();
        const since = flags.since === undefined ? undefined : parseSince(flags.since, now);
        const config = loadConfig([], ctx.io.env);
        const { buildStores } = await import('../../../shared/clients-from-config.js');
        const stores = buildStores(config);
        try {
          const result = await runAudit(
            { audit: stores.audit, doc: stores.doc, auditTable: stores.names.audit },
            {
              filters: {
                ...(flags.run ? { runId: flags.run } : {}),
                ...(flags.email ? { email: flags.email } : {}),
                ...(flags.userId ? { userId: flags.userId } : {}),
                ...(since ? { since } : {}),
              },
              format,
              ...(flags.out ? { out: flags.out } : {}),
              stdout: ctx.io.stdout,
              now,
            },
          );
          if (result.note) writeText(ctx.io.stderr, `idsync audit: ${result.note}`);
          const note = result.noRunFound
            ? 'no audit rows in the last 30 days; use --since, --run or --email'
            : result.newestRunId
              ? `newest run ${result.newestRunId} (no filter given)`
              : undefined;
          if (flags.out) {
            const text = `wrote ${result.rows.toLocaleString('en-US')} audit rows (${result.query}) as ${format} to ${flags.out}`;
            printResult(ctx.io, globals, result, note ? `${note}\n${text}` : text);
          } else if (note) {
            writeText(ctx.io.stderr, `idsync audit: ${note}`);
          }
          return ExitCode.Ok;
        } finally {
          stores.close();
        }
      }),
    );
}
