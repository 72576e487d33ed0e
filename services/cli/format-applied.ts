import { releaseCommand } from '../../shared/release-command.js';
import type { PlanRunResult, WorkerSummary } from '../removals/removals.js';

/** The closing text of a command that applied (the worker's summary) or only planned. */

const n = (v: number) => v.toLocaleString('en-US');

/**
 * The run's closing text. It never reads as clean while tasks the run was asked to run are
 * still pending or leased: it names how many and when to run `idsync apply` again.
 */
export function formatSummary(s: WorkerSummary): string {
  const seconds = s.elapsedMs / 1000;
  const lines = [
    `applied: ${n(s.deleted)} deleted,${s.roleChanged > 0 ? ` ${n(s.roleChanged)} roles changed,` : ''}${s.leftGroup > 0 ? ` ${n(s.leftGroup)} taken out of a Google group,` : ''} ${n(s.alreadyGone)} already gone, ${n(s.cancelled)} cancelled (re-joined, protected or active again), ${n(s.failed)} failed${s.blocked > 0 ? `, ${n(s.blocked)} blocked` : ''}${s.deferred > 0 ? `, ${n(s.deferred)} deferred` : ''}${s.stopped ? ' (stopped)' : ''}`,
    `  ${describeCalls(s)}, ${n(s.throttledCalls)} throttled, in ${seconds.toFixed(1)} s (${s.effectiveRate.toFixed(1)} users/s)`,
  ];
  if (s.waitedMs > 0)
    lines.push(`  waited ${(s.waitedMs / 1000).toFixed(0)} s for tasks leased by another worker`);
  if (s.blocked > 0)
    lines.push(
      `  GUARD: ${n(s.blocked)} deletions were BLOCKED: the guard window's budget (IDSYNC_MAX_DELETIONS within IDSYNC_GUARD_WINDOW_HOURS) is spent.`,
      '  They stay queued as BLOCKED. Check they are intended (idsync audit), then release them for one run:',
      `    ${releaseCommand(Math.max(s.blocked, 1))}`,
    );
  if (s.failed > 0)
    lines.push(
      '  Failed tasks stay queued and are retried by the next run; see idsync audit for their errors.',
    );
  if (s.deferred > 0)
    lines.push(
      `  DEFERRED: ${n(s.deferred)} idle deletions were not judged again, so not made: ${s.deferReason ?? 'the activity record is not fresh enough'}.`,
      '  They stay queued (PENDING). Bring the activity record up to date, then apply them:',
      '    idsync activity sync',
      '    idsync apply',
    );
  // Deferred tasks are PENDING again: counted above, not as work to rerun at once.
  const pending = Math.max(0, s.leftPending - s.deferred);
  if (pending + s.leftLeased > 0) {
    const parts = [
      ...(pending > 0 ? [`${n(pending)} still pending`] : []),
      ...(s.leftLeased > 0
        ? [
            `${n(s.leftLeased)} leased by another worker${s.leaseFreeAt ? ` until ${new Date(s.leaseFreeAt).toISOString()}` : ''}`,
          ]
        : []),
    ];
    const when = s.leaseFreeAt
      ? `after ${new Date(s.leaseFreeAt).toISOString()} (or when that worker has finished)`
      : 'now';
    lines.push(`NOT FINISHED: ${parts.join(', ')}. Run idsync apply again ${when}.`);
  }
  return lines.join('\n');
}

/**
 * The calls of a run, counted and named by service: "N QuickSight calls", and the Google
 * Directory calls of group removals when there were any ("N QuickSight calls, M Google Directory
 * calls"; only the Google ones when no QuickSight call was made).
 */
export function describeCalls(s: Pick<WorkerSummary, 'calls' | 'googleCalls'>): string {
  const google = s.googleCalls;
  const quickSight = s.calls - google;
  const googleText = `${n(google)} Google Directory ${google === 1 ? 'call' : 'calls'}`;
  if (google === 0) return `${n(quickSight)} QuickSight calls`;
  if (quickSight === 0) return googleText;
  return `${n(quickSight)} QuickSight calls, ${googleText}`;
}

/** The closing line of a command that only planned. */
export function dryRunLine(plan: PlanRunResult): string[] {
  return plan.plan.guard.tripped
    ? []
    : ['', 'Dry run: nothing deleted. Run again with --apply to delete.'];
}
