import { Command } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { escapeTerminalText } from '../../shared/terminal-text.js';
import type { CliContext } from './command-context.js';
import { registerActivity } from './commands/activity.js';
import { registerApply } from './commands/apply.js';
import { registerAudit } from './commands/audit.js';
import { registerDemo } from './commands/demo.js';
import { registerHandleEvent } from './commands/handle-event.js';
import { registerInactive } from './commands/inactive.js';
import { registerInitTables } from './commands/init-tables.js';
import { registerNotices } from './commands/notices.js';
import { registerPlan } from './commands/plan.js';
import { registerReconcile } from './commands/reconcile.js';
import { registerRemove } from './commands/remove.js';
import { registerReport } from './commands/report.js';
import { registerResolve } from './commands/resolve.js';
import { registerRestore } from './commands/restore.js';
import { registerReview } from './commands/review.js';
import { registerSandbox } from './commands/sandbox.js';
import { registerSnapshot } from './commands/snapshot.js';
import { registerStatus } from './commands/status.js';

/** Commands in the order of the README's "Commands" section, for --help. */
const COMMAND_ORDER = [
  'init-tables',
  'snapshot',
  'plan',
  'apply',
  'reconcile',
  'status',
  'handle-event',
  'resolve',
  'remove',
  'activity',
  'inactive',
  'restore',
  'audit',
  'report',
  'sandbox',
  'demo',
];

/** The version `idsync --version` prints: the package's. */
export const IDSYNC_VERSION: string = packageJson.version;

/**
 * Builds the `idsync` command line for one invocation. Every command's help lists the global
 * options (`--json`); with `--json`, commander's own error text is left out (runCli prints the
 * error as JSON instead).
 */
export function buildProgram(ctx: CliContext, options: { readonly json?: boolean } = {}): Command {
  const { io } = ctx;
  const program = new Command('idsync')
    .description(
      'Keeps Amazon QuickSight seats in step with Google Workspace group membership through IAM Identity Center.',
    )
    .version(IDSYNC_VERSION, '-V, --version', 'print the version of idsync')
    .option('--json', 'print machine-readable JSON instead of text (errors too)')
    .option(
      '--env-file <file>',
      'read configuration variables from FILE (NAME=value lines); the real environment wins',
    )
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (s) => io.stdout.write(escapeTerminalText(s)),
      writeErr: (s) => io.stderr.write(escapeTerminalText(s)),
      // Help text is plain: no colour codes (NO_COLOR, pipes).
      getOutHasColors: () => false,
      getErrHasColors: () => false,
      ...(options.json ? { outputError: () => {} } : {}),
    })
    .showHelpAfterError(options.json ? false : '(run idsync --help for usage)')
    .exitOverride();

  registerInitTables(program, ctx);
  registerSnapshot(program, ctx);
  registerPlan(program, ctx);
  registerHandleEvent(program, ctx);
  registerRemove(program, ctx);
  registerActivity(program, ctx);
  registerInactive(program, ctx);
  registerNotices(program, ctx);
  registerApply(program, ctx);
  registerReconcile(program, ctx);
  registerStatus(program, ctx);
  registerDemo(program, ctx);
  registerResolve(program, ctx);
  registerRestore(program, ctx);
  registerSandbox(program, ctx);
  registerAudit(program, ctx);
  registerReport(program, ctx);
  registerReview(program, ctx);
  const rank = (name: string) => COMMAND_ORDER.indexOf(name);
  (program.commands as Command[]).sort((a, b) => rank(a.name()) - rank(b.name()));
  const overrideAll = (commands: readonly Command[]) => {
    for (const command of commands) {
      command.exitOverride();
      overrideAll(command.commands);
    }
  };
  overrideAll(program.commands);
  return program;
}
