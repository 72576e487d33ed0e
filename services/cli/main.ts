import { CommanderError } from 'commander';
import { awsSetupProblem } from '../../shared/aws/aws-errors.js';
import {
  ConfigError,
  describeError,
  ExitCode,
  exitCodeFor,
  IdsyncError,
} from '../../shared/errors.js';
import { escapeJsonText } from '../../shared/terminal-text.js';
import { type CliContext, type CliIo, writeText } from './command-context.js';
import { envFileArgument, readEnvFile, unknownNames, withEnvFile } from './env-file.js';
import { preloadConfig } from './lazy-config.js';
import { buildProgram } from './program.js';

/**
 * Runs the CLI and returns the process exit code (docs/ARCHITECTURE.md, "Exit codes"). Errors end as one line on
 * stderr; the stack trace is added only at IDSYNC_LOG_LEVEL=debug or trace.
 */
export async function runCli(argv: readonly string[], given: CliIo): Promise<number> {
  let io = given;
  const json = wantsJson(argv);
  try {
    io = await withEnvFileOf(argv, given);
    const ctx: CliContext = { io, exitCode: ExitCode.Ok, runCli };
    const program = buildProgram(ctx, { json });
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (thrown) {
    if (thrown instanceof CommanderError) {
      const helpCodes = ['commander.helpDisplayed', 'commander.help', 'commander.version'];
      if (helpCodes.includes(thrown.code)) return ExitCode.Ok;
      if (json) writeJsonError(io, 'UsageError', thrown.message.replace(/^error: /, ''), 2);
      return ExitCode.Usage;
    }
    // Missing credentials or region: a configuration error with a hint, not "unexpected".
    const error = awsSetupProblem(thrown) ?? thrown;
    const explained = await import('./explain-error.js')
      .then((m) => m.explainError(error, io.env))
      .catch(() => error);
    const code = exitCodeFor(explained);
    const problems = explained instanceof ConfigError ? explained.problems : [];
    if (json) {
      const name = explained instanceof IdsyncError ? explained.name : 'UnexpectedError';
      writeJsonError(io, name, oneLine(describeError(explained)), code, problems);
      return code;
    }
    if (problems.length > 1) {
      // Several configuration problems: one a line, so each can be fixed in turn.
      const lines = problems.map((p) => `  ${p.variable}: ${oneLine(p.problem)}`);
      writeText(
        io.stderr,
        [`idsync: ${problems.length} configuration problems:`, ...lines].join('\n'),
      );
      return code;
    }
    const kind = explained instanceof IdsyncError ? '' : 'unexpected error: ';
    writeText(io.stderr, `idsync: ${kind}${oneLine(describeError(explained))}`);
    if ((await wantsStack(io)) && error instanceof Error && error.stack)
      writeText(io.stderr, error.stack);
    return code;
  }
}

/**
 * The environment of this run: with `--env-file FILE`, the file's variables under the real
 * environment's (services/cli/env-file.ts). Names in the file that idsync does not read are
 * listed on stderr (names only, never values) and ignored.
 */
async function withEnvFileOf(argv: readonly string[], io: CliIo): Promise<CliIo> {
  const file = envFileArgument(argv);
  if (file === undefined) return io;
  const values = readEnvFile(file);
  const { VARIABLES } = await preloadConfig();
  const unknown = unknownNames(values, new Set(VARIABLES.map((v) => v.name)));
  if (unknown.length > 0)
    writeText(
      io.stderr,
      `idsync: --env-file ${file}: ignored, not idsync variables (README "Configuration"; export them instead): ${unknown.join(', ')}`,
    );
  return { ...io, env: withEnvFile(io.env, values) };
}

/** Error messages end as one line (SDK messages may hold newlines). */
function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}

/** `--json` among the options (not after `--`, where arguments end). */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

/** An error as one JSON line on stderr (stdout keeps only results). */
function writeJsonError(
  io: CliIo,
  name: string,
  message: string,
  exitCode: number,
  problems: readonly { variable: string; problem: string }[] = [],
): void {
  const error = { name, message, exitCode, ...(problems.length > 1 ? { problems } : {}) };
  io.stderr.write(`${escapeJsonText(JSON.stringify({ error }))}\n`);
}

async function wantsStack(io: CliIo): Promise<boolean> {
  try {
    const level = (await preloadConfig()).loadConfig([], io.env).core.logLevel;
    return level === 'debug' || level === 'trace';
  } catch {
    return false;
  }
}
