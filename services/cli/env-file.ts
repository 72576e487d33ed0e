import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import type { Env } from '../../shared/config/index.js';
import { describeError, UsageError } from '../../shared/errors.js';

/**
 * `idsync --env-file FILE`: configuration variables from a file, for operators who do not export
 * them all. The file is read in Node's own format (`util.parseEnv`: `NAME=value` lines, `#`
 * comments, single, double or back quotes, `export ` prefixes). Precedence, the same for every
 * variable: a value set in the real environment wins over the file's; a variable unset or blank
 * in the environment (blank counts as unset everywhere in idsync) takes the file's value.
 * No value read from the file is ever printed.
 */

/** The option's value in `argv`: `--env-file FILE` or `--env-file=FILE` before any `--`. */
export function envFileArgument(argv: readonly string[]): string | undefined {
  const end = argv.indexOf('--');
  const options = end === -1 ? argv : argv.slice(0, end);
  let file: string | undefined;
  for (let i = 0; i < options.length; i++) {
    const arg = options[i] as string;
    if (arg === '--env-file' && i + 1 < options.length) file = options[++i];
    else if (arg.startsWith('--env-file=')) file = arg.slice('--env-file='.length);
  }
  return file;
}

/**
 * The variables of an env file.
 * @throws UsageError naming the file when it is missing, unreadable or not text.
 */
export function readEnvFile(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'is a folder, not a file'
            : describeError(error);
    throw new UsageError(`--env-file ${file}: cannot read it (${why})`);
  }
  if (text.includes('\u0000'))
    throw new UsageError(`--env-file ${file}: not a text file of NAME=value lines`);
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(parseEnv(text)))
    if (value !== undefined) values[name] = value;
  return values;
}

/** The environment with the file's values under it: the real environment wins (see above). */
export function withEnvFile(env: Env, fromFile: Readonly<Record<string, string>>): Env {
  const merged: Record<string, string | undefined> = { ...env };
  for (const [name, value] of Object.entries(fromFile))
    if (!env[name]?.trim()) merged[name] = value;
  return merged;
}

/** Names in the file that idsync does not read (typos, AWS_PROFILE): they are ignored. */
export function unknownNames(
  fromFile: Readonly<Record<string, string>>,
  known: ReadonlySet<string>,
): string[] {
  return Object.keys(fromFile).filter((name) => !known.has(name));
}
