/**
 * How an operator lets more deletions through than the guard allows, written once: the flag that
 * overrides the limits for one run, and the command that releases BLOCKED tasks with it. Every
 * hint (plan and apply output, worker logs and block reasons, the guard alarm's description)
 * prints `releaseCommand`.
 */

/** `--max-deletions N`: up to N deletions in this run, beyond the configured limits. */
export const MAX_DELETIONS_FLAG = '--max-deletions';

/** `idsync apply --max-deletions <count>`; `N` stands for the number when none is given. */
export function releaseCommand(count: number | string = 'N'): string {
  return `idsync apply ${MAX_DELETIONS_FLAG} ${count}`;
}
