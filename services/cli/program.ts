import { Command } from 'commander';
import { registerHandleEvent } from './commands/handle-event.js';
import { registerInitTables } from './commands/init-tables.js';
import { COMMAND_ORDER, registerPendingCommands } from './commands/pending.js';
import { registerPlan } from './commands/plan.js';
import { registerRemove } from './commands/remove.js';
import { registerResolve } from './commands/resolve.js';
import { registerSandbox } from './commands/sandbox.js';
import { registerSnapshot } from './commands/snapshot.js';
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
  registerSnapshot(program, ctx);
  registerPlan(program, ctx);
  registerHandleEvent(program, ctx);
  registerRemove(program, ctx);
  registerResolve(program, ctx);
  registerSandbox(program, ctx);
  registerPendingCommands(program, new Set(program.commands.map((c) => c.name())));
  const rank = (name: string) => COMMAND_ORDER.indexOf(name);
  (program.commands as Command[]).sort((a, b) => rank(a.name()) - rank(b.name()));
  for (const command of program.commands) command.exitOverride();
  return program;
}
