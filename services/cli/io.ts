import type { Writable } from 'node:stream';
import type { Env } from '../../shared/config/index.js';
import { ExitCode } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { Stores } from '../../shared/runtime.js';
import { preloadConfig } from './lazy-config.js';

/** What a CLI command may touch: its streams and environment (tests pass their own). */
export interface CliIo {
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean };
  readonly env: Env;
}

/** Per-invocation state: the streams, and the exit code the command's action settled on. */
export interface CliContext {
  readonly io: CliIo;
  exitCode: number;
  /** The CLI's entry (services/cli/main.ts runCli), for commands that run other commands (demo). */
  readonly runCli: (argv: readonly string[], io: CliIo) => Promise<number>;
}

export interface GlobalOptions {
  readonly json?: boolean;
}

/** One run of a command that works on the tables: what its helpers (plan, apply, end) share. */
export interface CommandRun<C> {
  readonly io: CliIo;
  readonly globals: GlobalOptions;
  readonly config: C;
  readonly stores: Stores;
  readonly logger: Logger;
  readonly runId: string;
}

/**
 * Wraps a command action that resolves to an exit code, so commander (whose actions return
 * nothing) can carry it back to `runCli`. Loads the configuration module first (lazy-config.ts).
 */
export function action<A extends unknown[]>(
  ctx: CliContext,
  fn: (...args: A) => Promise<number>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    await preloadConfig();
    ctx.exitCode = await fn(...args);
  };
}

/** Prints a command's result: JSON with `--json`, otherwise the human text. */
export function printResult(
  io: CliIo,
  options: GlobalOptions,
  value: unknown,
  human: string,
): void {
  if (options.json) io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  else io.stdout.write(human.endsWith('\n') ? human : `${human}\n`);
}

export { ExitCode };
