import { describe, expect, it } from 'vitest';
import { exitCodeOf } from '../../../../services/cli/run-exit.js';
import {
  emptyCounts,
  progressSnapshot,
  RateWindow,
  settledCount,
  summarize,
} from '../../../../services/removals/worker/progress.js';
import { outcomeRecord } from '../../../../services/removals/worker/task-call.js';
import { ExitCode } from '../../../../shared/errors.js';
import type { Task } from '../../../../shared/task.js';
import { SAMPLE_TASK } from './fixtures/sample-task.js';

const task: Task = SAMPLE_TASK;

describe('worker tally', () => {
  it('summarises: removed users per second, exit code 4 only when something failed', () => {
    const counts = {
      ...emptyCounts(),
      total: 10,
      deleted: 6,
      alreadyGone: 2,
      failed: 1,
      skipped: 1,
    };
    const summary = summarize(counts, 4_000, false);
    expect(summary.effectiveRate).toBe(2);
    expect(settledCount(counts)).toBe(10);
    expect(exitCodeOf(summary)).toBe(ExitCode.ItemsFailed);
    expect(exitCodeOf({ failed: 0, blocked: 0, leftPending: 0, leftLeased: 0 })).toBe(ExitCode.Ok);
    expect(exitCodeOf({ failed: 1, blocked: 2, leftPending: 0, leftLeased: 0 })).toBe(
      ExitCode.GuardOrPartial,
    );
    // Tasks left pending (a stopped run) or leased by another worker are not a clean run.
    expect(exitCodeOf({ failed: 0, blocked: 0, leftPending: 2, leftLeased: 0 })).toBe(
      ExitCode.ItemsFailed,
    );
    expect(exitCodeOf({ failed: 0, blocked: 0, leftPending: 0, leftLeased: 1 })).toBe(
      ExitCode.ItemsFailed,
    );
    expect(summarize(emptyCounts(), 0, true)).toMatchObject({ effectiveRate: 0, stopped: true });
  });

  it('measures the rate over a recent window and derives the ETA from it', () => {
    const w = new RateWindow(10_000);
    expect(w.rate(0, 0)).toBe(0);
    expect(w.rate(5_000, 100)).toBe(20);
    // A slow patch: the window forgets the old pace.
    for (let t = 6_000; t <= 30_000; t += 1_000) w.rate(t, 100 + (t - 5_000) / 200);
    expect(w.rate(31_000, 230)).toBeCloseTo(5, 0);
    const counts = { ...emptyCounts(), total: 300, deleted: 100 };
    const s = progressSnapshot(counts, 10_000, 20, 47.5);
    expect(s).toMatchObject({ total: 300, done: 100, etaMs: 10_000, pacerRate: 47.5 });
    expect(progressSnapshot(counts, 10, 0).etaMs).toBeUndefined();
  });

  it('builds the audit row of an outcome: person, QuickSight user, role, decision, outcome, times', () => {
    const record = outcomeRecord({
      runId: 'apply-1',
      owner: 'host:1:apply-1',
      task: { ...task, principalId: 'p-1' },
      outcome: 'failed',
      attempts: 8,
      startedAt: '2026-03-01T10:00:00.000Z',
      finishedAt: '2026-03-01T10:00:30.000Z',
      error: 'QuickSight: DeleteUser failed: AccessDeniedException',
    });
    expect(record).toEqual({
      runId: 'apply-1',
      at: '2026-03-01T10:00:30.000Z',
      kind: 'outcome',
      email: 'a@example.com',
      userName: 'Role/a@example.com',
      role: 'READER',
      source: 'leaver',
      decision: 'delete',
      reason: 'left quicksight-readers@example.com',
      outcome: 'failed',
      attempts: 8,
      detail: {
        taskId: task.taskId,
        planRunId: 'plan-7',
        arn: task.arn,
        identityType: 'IAM',
        principalId: 'p-1',
        worker: 'host:1:apply-1',
        startedAt: '2026-03-01T10:00:00.000Z',
        finishedAt: '2026-03-01T10:00:30.000Z',
        error: 'QuickSight: DeleteUser failed: AccessDeniedException',
      },
    });
    const cancelled = outcomeRecord({
      runId: 'apply-1',
      owner: 'w',
      task,
      outcome: 'cancelled',
      attempts: 0,
      startedAt: 'x',
      finishedAt: 'x',
      reason: 're-joined',
    });
    expect(cancelled.reason).toBe('re-joined');
    expect(cancelled.detail).not.toHaveProperty('error');
  });
});
