import type { Command } from 'commander';
import {
  action,
  type CliContext,
  ExitCode,
  type GlobalOptions,
  printResult,
} from '../command-context.js';
import { loadConfig } from '../lazy-config.js';

export function registerInitTables(program: Command, ctx: CliContext): void {
  program
    .command('init-tables')
    .description('create the DynamoDB tables if missing (for local use; CDK creates them in AWS)')
    .action(
      action(ctx, async (_options: unknown, command: Command) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        const config = loadConfig([], ctx.io.env);
        // Loaded on use: `idsync --help` does not load the AWS SDK.
        const { createDynamoClient } = await import('../../../shared/aws/clients.js');
        const { ensureTables } = await import('../ensure-tables.js');
        const client = createDynamoClient(config.aws);
        try {
          const tables = await ensureTables(client, config.core.tablePrefix);
          const lines = tables.map(
            (t) => `${t.action === 'created' ? 'created' : 'exists '}  ${t.name}`,
          );
          printResult(ctx.io, globals, { tables }, lines.join('\n'));
          return ExitCode.Ok;
        } finally {
          client.destroy();
        }
      }),
    );
}
