import { Command } from 'commander';
import { registerInitTables } from './commands/init-tables.js';
import { registerPendingCommands } from './commands/pending.js';
import type { CliContext } from './io.js';

/** Builds the `idsync` command line for one invocation. */
export function buildProgram(ctx: CliContext): Command {
  const { io } = ctx;
  const program = new Command('idsync')
    .description(
      'Keeps Amazon QuickSight seats in step with Google Workspace group membership through IAM Identity Center.',
    )
    .option('--json', 'print machine-readable JSON instead of text')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showHelpAfterError('(run idsync --help for usage)')
    .exitOverride();

  registerInitTables(program, ctx);
  registerPendingCommands(program, new Set(['init-tables']));
  for (const command of program.commands) command.exitOverride();
  return program;
}
