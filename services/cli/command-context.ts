import type { Writable } from 'node:stream';
import { nameRoleSessions } from '../../shared/aws/role-session.js';
import type { Stores } from '../../shared/clients-from-config.js';
import type { Env } from '../../shared/config/index.js';
import { ExitCode } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { escapeJsonText, escapeTerminalText } from '../../shared/terminal-text.js';
import { highlightResult, useColour } from './highlight.js';
import { loadConfig, preloadConfig } from './lazy-config.js';

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
 * nothing) can carry it back to `runCli`. Loads the configuration module first (lazy-config.ts),
 * and names the run's role sessions after the command (shared/aws/role-session.ts).
 */
export function action<A extends unknown[]>(
  ctx: CliContext,
  fn: (...args: A) => Promise<number>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    await preloadConfig();
    nameRoleSessions(commandPath(args.at(-1)));
    ctx.exitCode = await fn(...args);
  };
}

/** `activity-sync` for `idsync activity sync`: the command's names below the program's. */
function commandPath(command: unknown): string {
  const names: string[] = [];
  let at = command as { name?: () => string; parent?: unknown } | null | undefined;
  while (at && typeof at.name === 'function' && at.parent) {
    names.unshift(at.name());
    at = at.parent as typeof at;
  }
  return names.join('-') || 'run';
}

/**
 * Prints a command's result: JSON with `--json`, otherwise the human text. Either way no value
 * from outside can reorder or drive the terminal (shared/terminal-text.ts): the human text shows
 * such characters escaped (`\u202E`, `\x1B`), the JSON holds them as `\uXXXX` escapes.
 */
export function printResult(
  io: CliIo,
  options: GlobalOptions,
  value: unknown,
  human: string,
): void {
  if (options.json) io.stdout.write(`${escapeJsonText(JSON.stringify(value, null, 2))}\n`);
  else writeText(io.stdout, human, useColour(io.stdout, colourAllowed(io)));
}

/**
 * Writes human text, ended by a newline, with unsafe terminal characters escaped; with `colour`,
 * guard trips, blocked and failed counts are then coloured (services/cli/highlight.ts).
 */
export function writeText(stream: Writable, text: string, colour = false): void {
  const escaped = escapeTerminalText(text);
  const safe = colour ? highlightResult(escaped) : escaped;
  stream.write(safe.endsWith('\n') ? safe : `${safe}\n`);
}

/** False under NO_COLOR (shared/config's `core.color`), or when the configuration cannot load. */
function colourAllowed(io: CliIo): boolean {
  try {
    return loadConfig([], io.env).core.color;
  } catch {
    return false;
  }
}

export { ExitCode };
