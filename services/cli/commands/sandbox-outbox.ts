import type { Command } from 'commander';
import { escapeTerminalText } from '../../../shared/terminal-text.js';
import {
  action,
  type CliContext,
  ExitCode,
  type GlobalOptions,
  printResult,
} from '../command-context.js';
import { type ControlFlags, call, controlUrl, withControl } from './sandbox-control.js';

/**
 * `idsync sandbox outbox [--clear]`: the messages the running sandbox's SES stand-in accepted
 * (to, subject, sent time; `--json` adds the bodies), read from its control endpoint.
 */

interface OutboxMessage {
  readonly messageId: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly sentAt: string;
}

export function formatOutbox(messages: readonly OutboxMessage[], cleared?: number): string {
  const lines = messages.map(
    (m) => `${m.sentAt}  ${escapeTerminalText(m.to.join(', '))}  ${escapeTerminalText(m.subject)}`,
  );
  const head =
    cleared === undefined
      ? `${messages.length} message(s) in the SES outbox`
      : `outbox cleared (${cleared} message(s) removed)`;
  return [head, ...lines].join('\n');
}

export function registerSandboxOutbox(sandbox: Command, ctx: CliContext): void {
  withControl(
    sandbox
      .command('outbox')
      .description("the messages the running sandbox's SES stand-in accepted (notices)")
      .option('--clear', 'empty the outbox'),
  ).action(
    action(ctx, async (flags: ControlFlags & { clear?: boolean }, command: Command) => {
      const url = controlUrl(ctx, flags);
      const out = await call<{ messages: OutboxMessage[]; cleared?: number }>(
        flags.clear ? `${url}/outbox/clear` : `${url}/outbox`,
        flags.clear ? 'POST' : 'GET',
      );
      printResult(
        ctx.io,
        command.optsWithGlobals<GlobalOptions>(),
        out,
        formatOutbox(out.messages, out.cleared),
      );
      return ExitCode.Ok;
    }),
  );
}
