import type { Command } from 'commander';
import { UsageError } from '../../../shared/errors.js';
import { action, type CliContext } from '../command-context.js';
import { loadConfig } from '../lazy-config.js';

export function registerDemo(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description('the whole pipeline on the sandbox, end to end (npm start)')
    .option('--out <folder>', 'the folder the demo writes its two HTML reports to', 'idsync-demo')
    .option(
      '--leavers <n>',
      'how many people leave their groups (after the idle Readers are pruned)',
      '300',
    )
    .action(
      action(ctx, async (flags: { out: string; leavers: string }) => {
        loadConfig([], ctx.io.env);
        const leavers = Number(flags.leavers);
        if (!Number.isInteger(leavers) || leavers < 5 || leavers > 1000) {
          throw new UsageError(
            `--leavers must be a whole number from 5 to 1000 (got ${flags.leavers})`,
          );
        }
        const { runDemo, DEFAULT_DEMO } = await import('../demo.js');
        // The CLI itself comes through the context (services/cli/main.ts): no import cycle.
        return runDemo(ctx.io, { ...DEFAULT_DEMO, folder: flags.out, leavers }, ctx.runCli);
      }),
    );
}
