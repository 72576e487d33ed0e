import type { Command } from 'commander';
import { isValidEmail, normalizeEmail } from '../../../shared/email.js';
import { describeError, UsageError } from '../../../shared/errors.js';
import { newRunId } from '../../../shared/run-id.js';
import { emailProblem } from '../../../shared/value-limits.js';
import {
  action,
  type CliContext,
  ExitCode,
  type GlobalOptions,
  printResult,
} from '../command-context.js';
import { groupsToRestore, type RemovedGroup, restoreRow } from '../group-restore.js';
import { loadConfig } from '../lazy-config.js';

/**
 * `idsync restore EMAIL [--apply]`: puts a person back in the Google groups idsync took them
 * out of (`leave_group` tasks, IDSYNC_GOOGLE_GROUP_WRITE=on), read from their audit rows
 * (services/cli/group-restore.ts), with Directory API `members.insert`. Dry run by default; every
 * group gets an audit row (a `decision` row in a dry run, an `outcome` row when applied). Once
 * back in the group, the SCIM sync gives the IAM Identity Center user its seat again (before
 * QuickSight's monthly pass, the same user; after it, a new one at the next sign-in).
 */

interface RestoreFlags {
  apply?: boolean;
}

/** The EMAIL argument, normalised; a usage error (exit 2) for anything that is not one. */
export function restoreEmail(raw: string): string {
  const email = normalizeEmail(raw);
  if (email === '') throw new UsageError('restore needs the e-mail of the person to put back');
  const problem = emailProblem(email);
  if (problem !== undefined || !isValidEmail(email))
    throw new UsageError(
      `${JSON.stringify(raw.slice(0, 80))} is not an e-mail address${problem ? ` (${problem})` : ''}`,
    );
  return email;
}

export function registerRestore(program: Command, ctx: CliContext): void {
  program
    .command('restore <email>')
    .description(
      'add a person back to the Google groups idsync took them out of (IDSYNC_GOOGLE_GROUP_WRITE); dry run without --apply',
    )
    .option('--apply', 'add them back now (default: dry run)')
    .action(
      action(ctx, async (rawEmail: string, flags: RestoreFlags, command: Command) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        const email = restoreEmail(rawEmail);
        const apply = flags.apply === true;
        const config = loadConfig(apply ? ['google'] : [], ctx.io.env);
        const { buildStores } = await import('../../../shared/clients-from-config.js');
        const stores = buildStores(config);
        try {
          const rows = [];
          for await (const page of stores.audit.byEmail(email)) rows.push(...page);
          const owed = groupsToRestore(rows);
          const runId = newRunId();
          if (owed.length === 0) {
            const text = `nothing to restore: idsync has taken ${email} out of no Google group (or every such group was restored already)`;
            printResult(ctx.io, globals, { email, dryRun: !apply, groups: [] }, text);
            return ExitCode.Ok;
          }
          if (!apply) {
            const at = new Date().toISOString();
            await stores.audit.append(
              owed.map((removed) => restoreRow({ runId, at, email, removed, applied: false })),
            );
            const lines = [
              `dry run: ${email} would be added back to ${owed.length} Google group${owed.length === 1 ? '' : 's'}:`,
              ...owed.map((g) => `  ${g.group} (taken out at ${g.leftAt})`),
              'Run again with --apply to add them back.',
            ];
            printResult(
              ctx.io,
              globals,
              { email, dryRun: true, runId, groups: owed },
              lines.join('\n'),
            );
            return ExitCode.Ok;
          }
          const { buildGroupMemberWriter } = await import(
            '../../../shared/google/group-member-writer-from-config.js'
          );
          const writer = buildGroupMemberWriter(config);
          const results: Array<RemovedGroup & { outcome: string; error?: string }> = [];
          for (const removed of owed) {
            let outcome: 'restored' | 'already_member' | 'failed';
            let error: string | undefined;
            try {
              outcome =
                (await writer.addMember(removed.group, email)) === 'added'
                  ? 'restored'
                  : 'already_member';
            } catch (e) {
              outcome = 'failed';
              error = describeError(e);
            }
            await stores.audit.append([
              restoreRow({
                runId,
                at: new Date().toISOString(),
                email,
                removed,
                applied: true,
                outcome,
                ...(error !== undefined ? { error } : {}),
              }),
            ]);
            results.push({ ...removed, outcome, ...(error !== undefined ? { error } : {}) });
          }
          const failed = results.filter((r) => r.outcome === 'failed');
          const lines = [
            `restore ${runId}: ${email}`,
            ...results.map((r) =>
              r.outcome === 'restored'
                ? `  ${r.group}: added back`
                : r.outcome === 'already_member'
                  ? `  ${r.group}: already a member`
                  : `  ${r.group}: FAILED (${r.error})`,
            ),
            ...(failed.length === 0
              ? [
                  'The SCIM sync gives the IAM Identity Center user its seat back; an idle user is judged again at the next idsync inactive run.',
                ]
              : ['Run idsync restore again to retry the failed groups.']),
          ];
          printResult(
            ctx.io,
            globals,
            { email, dryRun: false, runId, groups: results },
            lines.join('\n'),
          );
          return failed.length === 0 ? ExitCode.Ok : ExitCode.ItemsFailed;
        } finally {
          stores.close();
        }
      }),
    );
}
