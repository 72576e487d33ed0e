import { Command } from 'commander';
import { registerActivity } from './commands/activity.js';
import { registerApply } from './commands/apply.js';
import { registerAudit } from './commands/audit.js';
import { registerDemo } from './commands/demo.js';
import { registerHandleEvent } from './commands/handle-event.js';
import { registerInactive } from './commands/inactive.js';
import { registerInitTables } from './commands/init-tables.js';
import { registerPlan } from './commands/plan.js';
import { registerReconcile } from './commands/reconcile.js';
import { registerRemove } from './commands/remove.js';
import { registerReport } from './commands/report.js';
import { registerResolve } from './commands/resolve.js';
import { registerSandbox } from './commands/sandbox.js';
import { registerSnapshot } from './commands/snapshot.js';
import type { CliContext } from './io.js';

/** Commands in the order of DESIGN.md §4, for --help. */
const COMMAND_ORDER = [
  'init-tables',
  'snapshot',
  'plan',
  'apply',
  'reconcile',
  'handle-event',
  'resolve',
  'remove',
  'activity',
  'inactive',
  'audit',
  'report',
  'sandbox',
  'demo',
];

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
  registerActivity(program, ctx);
  registerInactive(program, ctx);
  registerApply(program, ctx);
  registerReconcile(program, ctx);
  registerDemo(program, ctx);
  registerResolve(program, ctx);
  registerSandbox(program, ctx);
  registerAudit(program, ctx);
  registerReport(program, ctx);
  const rank = (name: string) => COMMAND_ORDER.indexOf(name);
  (program.commands as Command[]).sort((a, b) => rank(a.name()) - rank(b.name()));
  for (const command of program.commands) command.exitOverride();
  return program;
}
