import type { Command } from 'commander';
import { UsageError } from '../../../shared/errors.js';
import { action, type CliContext, ExitCode, type GlobalOptions } from '../command-context.js';
import { loadConfig } from '../lazy-config.js';
import { registerSandboxControl } from './sandbox-control.js';
import { registerSandboxOutbox } from './sandbox-outbox.js';
import { registerSandboxRoles } from './sandbox-roles.js';
import { registerSandboxWorld } from './sandbox-world.js';

interface SandboxFlags {
  readonly data?: string;
  readonly org: string;
  readonly seed: string;
  readonly port?: string;
  readonly roles?: boolean;
  readonly layout: string;
}

export function registerSandbox(program: Command, ctx: CliContext): void {
  const sandbox = program.command('sandbox');
  registerSandboxControl(sandbox, ctx);
  registerSandboxWorld(sandbox, ctx);
  registerSandboxRoles(sandbox, ctx);
  registerSandboxOutbox(sandbox, ctx);
  sandbox
    .description('start the local stand-ins and print the environment that points at them')
    .option('--org <name>', 'organisation to serve: demo (≈2,200 Readers) or small', 'demo')
    .option('--seed <n>', 'random seed of the organisation', '42')
    .option('--data <dir>', 'keep DynamoDB data in this folder (default: in memory)')
    .option('--port <n>', 'first of six consecutive ports (default: free ones)')
    .option(
      '--roles',
      'serve QuickSight, IdentityStore and CloudTrail behind their own roles (assumed through the STS stand-in; `idsync sandbox roles` shows who assumed what)',
    )
    .option(
      '--layout <layout>',
      'one-account, two-account: IAM Identity Center in its own account, reached only through the reader role there (README "The layouts"), or multi-quicksight: QuickSight users in two namespaces and a second account (README "Several QuickSight accounts or namespaces")',
      'one-account',
    )
    .action(
      action(ctx, async (flags: SandboxFlags, command: Command) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        const config = loadConfig([], ctx.io.env);
        const seed = Number(flags.seed);
        if (!Number.isInteger(seed))
          throw new UsageError(`--seed must be a whole number (got ${flags.seed})`);
        const base = flags.port === undefined ? undefined : Number(flags.port);
        if (base !== undefined && !(Number.isInteger(base) && base > 0 && base < 65_530)) {
          throw new UsageError(`--port must be a port number (got ${flags.port})`);
        }
        const { demoOrg, smallOrg } = await import('../../sandbox/scenarios/org.js');
        const orgs: Record<string, (seed: number) => ReturnType<typeof demoOrg>> = {
          demo: demoOrg,
          small: smallOrg,
        };
        const { SANDBOX_LAYOUTS } = await import('../../sandbox/scenarios/layouts.js');
        const layout = SANDBOX_LAYOUTS.find((l) => l === flags.layout);
        if (!layout)
          throw new UsageError(
            `--layout must be ${SANDBOX_LAYOUTS.join(' or ')} (got ${flags.layout})`,
          );
        const build = orgs[flags.org];
        if (!build) throw new UsageError(`--org must be demo or small (got ${flags.org})`);
        const { startSandbox, formatEnv } = await import('../../sandbox/start-sandbox.js');
        const { sandboxRoles } = await import('../../sandbox/scenarios/roles.js');
        const org = build(seed);
        const { ensureTables } = await import('../ensure-tables.js');
        const { createDynamoClient } = await import('../../../shared/aws/clients.js');
        const sandbox = await startSandbox({
          org,
          ...(flags.roles ? { roles: sandboxRoles(org.accountId) } : {}),
          layout,
          control: true,
          tablePrefix: config.core.tablePrefix,
          ...(flags.data ? { dataDir: flags.data } : {}),
          ...(base
            ? {
                ports: {
                  dynamodb: base,
                  quicksight: base + 1,
                  identitystore: base + 2,
                  google: base + 3,
                  cloudtrail: base + 4,
                  sts: base + 5,
                },
              }
            : {}),
        });
        const dynamo = createDynamoClient(
          { region: sandbox.org.region, endpoints: { dynamodb: sandbox.dynamo.endpoint } },
          { credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } },
        );
        await ensureTables(dynamo, config.core.tablePrefix);
        dynamo.destroy();
        const counts = sandbox.org.counts;
        if (globals.json)
          ctx.io.stdout.write(`${JSON.stringify({ env: sandbox.env, counts }, null, 2)}\n`);
        else {
          ctx.io.stdout.write(
            [
              `# idsync sandbox: ${counts.quickSightUsers} QuickSight users, ${counts.idcUsers} IdC users, ${counts.entitledPeople} group members; tables created.`,
              `# CloudTrail holds ${sandbox.cloudTrailState.size} QuickSight events (${sandbox.activity.idleReaders.length} Readers idle > 60 days); run idsync activity sync.`,
              '# In another shell, paste these lines (or eval "$(...)"), then run idsync commands;',
              '# `idsync sandbox fault qs.errorRate=0.5` / `idsync sandbox dynamodb stop` rehearse outages,',
              '# `idsync sandbox leave EMAIL` / `join` / `move` / `sync` / `activity` people (README: Rehearsal walkthrough):',
              ...(layout === 'two-account'
                ? [
                    `# Two accounts: IAM Identity Center in ${sandbox.org.identityCenterAccountId}, QuickSight and idsync in ${sandbox.org.accountId}; IdentityStore answers only the reader role there:`,
                  ]
                : []),
              ...(layout === 'multi-quicksight'
                ? [
                    `# Several QuickSight scopes (IDSYNC_QUICKSIGHT_ACCOUNTS below): two namespaces of ${sandbox.org.accountId} and a second account, which answers only its role:`,
                  ]
                : []),
              ...(flags.roles
                ? [
                    '# QuickSight, IdentityStore and CloudTrail answer only their roles (assumed through STS); `idsync sandbox roles` shows who assumed what:',
                  ]
                : []),
              formatEnv(sandbox.env),
              '# Press Ctrl-C to stop.',
              '',
            ].join('\n'),
          );
        }
        await new Promise<void>((resolve) => {
          const stop = () => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            resolve();
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
        await sandbox.close();
        ctx.io.stderr.write('sandbox stopped\n');
        return ExitCode.Ok;
      }),
    );
}
