import type { Command } from 'commander';
import {
  action,
  type CliContext,
  ExitCode,
  type GlobalOptions,
  printResult,
} from '../command-context.js';
import { loadConfig } from '../lazy-config.js';

/**
 * `idsync status`: the removals not done yet — queued, leased, blocked by the guard window, held by
 * a tripped guard, awaiting the review's approval — with their age and the exact next command
 * (shared/held-work.ts). Reads the tasks table only; changes nothing. Exit 3 while any removal is
 * held (it will not run by itself), 0 otherwise.
 */
export function registerStatus(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description(
      'list the removals not done yet (queued, leased, blocked, held by the guard, awaiting approval) with their age and the next command; exit 3 while any is held',
    )
    .action(
      action(ctx, async (_options: unknown, command: Command) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        const config = loadConfig([], ctx.io.env);
        const { buildStores } = await import('../../../shared/clients-from-config.js');
        const { readWork } = await import('../../../shared/held-work.js');
        const { formatStatus } = await import('../format-status.js');
        const stores = buildStores(config);
        try {
          const work = await readWork(stores.tasks, Date.now());
          printResult(ctx.io, globals, work, formatStatus(work));
          return work.held > 0 ? ExitCode.GuardOrPartial : ExitCode.Ok;
        } finally {
          stores.close();
        }
      }),
    );
}
