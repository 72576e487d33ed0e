import { CommanderError } from 'commander';
import { loadConfig } from '../../shared/config/index.js';
import { describeError, ExitCode, exitCodeFor, IdsyncError } from '../../shared/errors.js';
import type { CliContext, CliIo } from './io.js';
import { buildProgram } from './program.js';

/**
 * Runs the CLI and returns the process exit code (DESIGN.md §4). Errors end as one line on
 * stderr; the stack trace is added only at IDSYNC_LOG_LEVEL=debug or trace.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const ctx: CliContext = { io, exitCode: ExitCode.Ok };
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      const helpCodes = ['commander.helpDisplayed', 'commander.help', 'commander.version'];
      return helpCodes.includes(error.code) ? ExitCode.Ok : ExitCode.Usage;
    }
    const explained = await import('./explain-error.js')
      .then((m) => m.explainError(error, io.env))
      .catch(() => error);
    const kind = explained instanceof IdsyncError ? '' : 'unexpected error: ';
    io.stderr.write(`idsync: ${kind}${oneLine(describeError(explained))}\n`);
    if (wantsStack(io) && error instanceof Error && error.stack)
      io.stderr.write(`${error.stack}\n`);
    return exitCodeFor(explained);
  }
}

/** Error messages end as one line (SDK messages may hold newlines). */
function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}

function wantsStack(io: CliIo): boolean {
  try {
    const level = loadConfig([], io.env).core.logLevel;
    return level === 'debug' || level === 'trace';
  } catch {
    return false;
  }
}
