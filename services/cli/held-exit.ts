import type { Stores } from '../../shared/clients-from-config.js';
import { heldLines, readWork, type WorkSummary } from '../../shared/held-work.js';
import { ExitCode } from './command-context.js';

/**
 * Held work at the end of a run that applies (`apply`, `reconcile`): it is never silent. The run
 * names how many removals are held and the exact command for them, and exits 3 while any are.
 */

export interface HeldAtEnd {
  readonly work: WorkSummary;
  /** The lines to print after the run's own (none when nothing is held). */
  readonly lines: readonly string[];
}

export async function heldAtEnd(stores: Pick<Stores, 'tasks'>): Promise<HeldAtEnd> {
  const work = await readWork(stores.tasks, Date.now());
  const lines = heldLines(work);
  return { work, lines: lines.length > 0 ? ['', ...lines] : [] };
}

/** The run's exit code, or 3 while removals are held (they wait for an operator). */
export function exitWhileHeld(code: number, held: HeldAtEnd): number {
  return held.work.held > 0 ? ExitCode.GuardOrPartial : code;
}

/** The `--json` field: how many removals are held, by kind. */
export function heldJson(held: HeldAtEnd) {
  const g = held.work.groups;
  return {
    total: held.work.held,
    blocked: g.blocked.count,
    guardHeld: g.guardHeld.count,
    awaitingApproval: g.awaitingApproval.count,
  };
}
