import { Writable } from 'node:stream';
import { Command, CommanderError } from 'commander';
import type { CliContext } from '../../../services/cli/command-context.js';
import { runCli } from '../../../services/cli/main.js';
import { describeError, ExitCode, exitCodeFor } from '../../../shared/errors.js';
import { TEST_CREDENTIALS } from '../../helpers/dynamo.js';

/** The environment that points idsync at a test dynalite's tables. */
export function cliEnv(endpoint: string, tablePrefix: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    IDSYNC_TABLE_PREFIX: tablePrefix,
  };
}

/** Runs one command registered on a fresh `idsync` program, the way runCli does. */
export async function runCommand(
  register: (program: Command, ctx: CliContext) => void,
  argv: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const text = { stdout: '', stderr: '' };
  const sink = (key: 'stdout' | 'stderr') =>
    new Writable({
      write(chunk, _enc, done) {
        text[key] += String(chunk);
        done();
      },
    });
  const ctx: CliContext = {
    io: { stdout: sink('stdout'), stderr: sink('stderr'), env },
    exitCode: 0,
    runCli,
  };
  const program = new Command('idsync')
    .option('--json')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
    });
  register(program, ctx);
  for (const command of program.commands) command.exitOverride();
  let code: number;
  try {
    await program.parseAsync(argv, { from: 'user' });
    code = ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) code = ExitCode.Usage;
    else {
      ctx.io.stderr.write(`idsync: ${describeError(error)}\n`);
      code = exitCodeFor(error);
    }
  }
  return { code, ...text };
}
