import type { Command } from 'commander';
import { UsageError } from '../../../shared/errors.js';
import type { StsControlState } from '../../sandbox/control/sts-control.js';
import {
  action,
  type CliContext,
  ExitCode,
  type GlobalOptions,
  printResult,
} from '../command-context.js';
import { type ControlFlags, call, controlUrl, withControl } from './sandbox-control.js';

/**
 * `idsync sandbox roles [--session-seconds N|default]`: who assumed which role in the running
 * sandbox (`idsync sandbox --roles`), through its STS stand-in, and how many calls each role's
 * sessions made; `--session-seconds` makes new sessions that short (below STS's 900-second
 * minimum too), to rehearse a run that outlasts its role session. idsync refreshes credentials
 * 5 minutes before they expire, as the SDK does: sessions of 300 seconds or less are renewed at
 * every call.
 */

interface RolesFlags extends ControlFlags {
  readonly sessionSeconds?: string;
}

export function registerSandboxRoles(sandbox: Command, ctx: CliContext): void {
  withControl(
    sandbox
      .command('roles')
      .description('who assumed which role in the running sandbox, through its STS stand-in')
      .option(
        '--session-seconds <n>',
        'new role sessions last N seconds (1 to 43200; idsync renews 5 minutes before expiry, so 300 or less renews at every call), or `default` for what AssumeRole asks',
      ),
  ).action(
    action(ctx, async (flags: RolesFlags, command: Command) => {
      const body =
        flags.sessionSeconds === undefined ? undefined : sessionSeconds(flags.sessionSeconds);
      const state = await call<StsControlState>(
        `${controlUrl(ctx, flags)}/sts`,
        body === undefined ? 'GET' : 'POST',
        body,
      );
      printResult(ctx.io, command.optsWithGlobals<GlobalOptions>(), state, formatRoles(state));
      return ExitCode.Ok;
    }),
  );
}

function sessionSeconds(raw: string): { sessionSeconds: number | null } {
  if (raw.trim() === 'default') return { sessionSeconds: null };
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < 1 || n > 43_200)
    throw new UsageError(`--session-seconds must be 1 to 43200 or default (got ${raw})`);
  return { sessionSeconds: n };
}

export function formatRoles(state: StsControlState): string {
  const lines = [
    `role sessions last ${state.sessionSeconds === null ? 'as asked (default 3600 s)' : `${state.sessionSeconds} s`}`,
  ];
  if (state.assumed.length === 0) lines.push('no AssumeRole yet');
  for (const a of state.assumed)
    lines.push(
      `${a.at}  ${a.refused ? `REFUSED ${a.refused}` : 'assumed'}  ${a.roleArn}  session ${a.sessionName}  external id ${a.externalId === undefined ? 'none' : 'given'}  signed by ${a.sourceAccessKeyId}`,
    );
  for (const [role, c] of Object.entries(state.callsByRole))
    lines.push(`calls signed by ${role}: ${c.calls} (${c.refused} refused)`);
  return lines.join('\n');
}
