/**
 * The one error hierarchy of idsync. Every error carries a stable `name`, an optional `cause`
 * and whether retrying the same operation may succeed (`retryable`).
 */

export interface IdsyncErrorOptions {
  readonly cause?: unknown;
  readonly retryable?: boolean;
}

/** Process exit codes (docs/ARCHITECTURE.md, "Exit codes"). */
export const ExitCode = {
  Ok: 0,
  Unexpected: 1,
  Usage: 2,
  GuardOrPartial: 3,
  ItemsFailed: 4,
  Unreachable: 5,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class IdsyncError extends Error {
  override readonly name: string = 'IdsyncError';
  readonly retryable: boolean;
  /** Exit code the CLI uses when this error ends a command. */
  readonly exitCode: ExitCode = ExitCode.Unexpected;

  constructor(message: string, options: IdsyncErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable ?? false;
  }
}

/** One configuration variable and what is wrong with it. */
export interface ConfigProblem {
  readonly variable: string;
  readonly problem: string;
}

/**
 * Configuration variables are missing or invalid: every problem found, each naming its variable
 * (`variable` is the first). One problem reads `NAME: problem`; several read `N configuration
 * problems: A: …; B: …` (the CLI prints them one a line).
 */
export class ConfigError extends IdsyncError {
  override readonly name = 'ConfigError';
  override readonly exitCode = ExitCode.Usage;
  readonly problems: readonly ConfigProblem[];
  constructor(
    readonly variable: string,
    problem: string,
    more: readonly ConfigProblem[] = [],
  ) {
    const problems = [{ variable, problem }, ...more];
    super(
      problems.length === 1
        ? `${variable}: ${problem}`
        : `${problems.length} configuration problems: ${problems.map((p) => `${p.variable}: ${p.problem}`).join('; ')}`,
    );
    this.problems = problems;
  }
}

/** The command line itself is wrong (bad flag value, missing file). */
export class UsageError extends IdsyncError {
  override readonly name = 'UsageError';
  override readonly exitCode = ExitCode.Usage;
}

/** A safety guard tripped: nothing was deleted. */
export class GuardTrippedError extends IdsyncError {
  override readonly name = 'GuardTrippedError';
  override readonly exitCode = ExitCode.GuardOrPartial;
}

/** A snapshot could not read every page of every source; no decision may be made from it. */
export class PartialSnapshotError extends IdsyncError {
  override readonly name = 'PartialSnapshotError';
  override readonly exitCode = ExitCode.GuardOrPartial;
}

/** The run finished but some items failed after their retries. */
export class ItemsFailedError extends IdsyncError {
  override readonly name = 'ItemsFailedError';
  override readonly exitCode = ExitCode.ItemsFailed;
}

/**
 * A report or export file could not be written. The run's own work is done (and summarised
 * before this error is printed); exit 4.
 */
export class OutputFileError extends IdsyncError {
  override readonly name = 'OutputFileError';
  override readonly exitCode = ExitCode.ItemsFailed;
}

/**
 * This machine's clock disagrees with a service's by more than the run allows (e.g. `activity
 * sync` against CloudTrail's `Date`): nothing was marked done from the run; fix the clock (exit 2).
 */
export class ClockSkewError extends IdsyncError {
  override readonly name = 'ClockSkewError';
  override readonly exitCode = ExitCode.Usage;
}

/** Something asked for does not exist (unknown user id, unknown run). */
export class NotFoundError extends IdsyncError {
  override readonly name = 'NotFoundError';
}

/** A call to a remote service failed; `retryable` says whether trying again may help. */
export class RemoteServiceError extends IdsyncError {
  override readonly name = 'RemoteServiceError';
  constructor(
    readonly service: string,
    message: string,
    options: IdsyncErrorOptions = {},
  ) {
    super(`${service}: ${message}`, options);
  }
}

/**
 * A service could not be reached (refused, unknown host, reset, timed out after the retries):
 * exit 5, not "unexpected". The message names the service and its URL (or keeps the words of
 * the adapter that said so, `said`); retrying later may help.
 */
export class ServiceUnreachableError extends IdsyncError {
  override readonly name = 'ServiceUnreachableError';
  override readonly exitCode = ExitCode.Unreachable;
  constructor(
    readonly service: string,
    readonly url: string,
    reason: string,
    options: IdsyncErrorOptions & { detail?: string; said?: string } = {},
  ) {
    super(
      options.said ??
        `${service} at ${url} is unreachable (${reason})${options.detail ? `: ${options.detail}` : ''}`,
      { ...options, retryable: true },
    );
  }
}

/** The DynamoDB tables are not there: a setup problem (exit 2), not a failure of the run. */
export class MissingTableError extends IdsyncError {
  override readonly name = 'MissingTableError';
  override readonly exitCode = ExitCode.Usage;
  constructor(
    readonly tables: readonly string[],
    options: IdsyncErrorOptions = {},
  ) {
    const what =
      tables.length === 1
        ? `table ${tables[0]} does not exist`
        : tables.length > 1
          ? `tables ${tables.join(', ')} do not exist`
          : 'a DynamoDB table does not exist';
    super(
      `${what}: run \`idsync init-tables\` (local) or deploy the stack (check IDSYNC_TABLE_PREFIX)`,
      options,
    );
  }
}

/** A feature that a later issue fills in. */
export class NotImplementedError extends IdsyncError {
  override readonly name = 'NotImplementedError';
  constructor(what: string) {
    super(`${what}: not implemented yet`);
  }
}

/** Maps any thrown value to its process exit code (ExitCode above). */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof IdsyncError) return error.exitCode;
  return ExitCode.Unexpected;
}

/** Whether retrying may help: idsync errors say so; unknown errors are not retried. */
export function isRetryable(error: unknown): boolean {
  return error instanceof IdsyncError && error.retryable;
}

/** A one-line, operator-facing description of an error (no stack trace). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
