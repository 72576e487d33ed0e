import { describe, expect, it } from 'vitest';
import { exitCodeOf } from '../../../../services/cli/run-exit.js';
import { Pacer } from '../../../../services/removals/worker/pacing/call-pacing.js';
import { runWorker } from '../../../../services/removals/worker/run-worker.js';
import type { WorkerOptions } from '../../../../services/removals/worker/worker-ports.js';
import { QuickSightUsers } from '../../../../shared/aws/quicksight-users.js';
import type { QuickSightUser } from '../../../../shared/domain.js';
import type { StoredAuditRecord } from '../../../../shared/dynamo/audit-store.js';
import { ExitCode } from '../../../../shared/errors.js';
import { type Task, type TaskStatus, taskIdFor } from '../../../../shared/task.js';
import { expectEachDeletedOnce, useWorkerSandbox } from './fixtures/use-worker-sandbox.js';
import { collect, workerDeps, workerOptions } from './fixtures/worker-deps.js';
import {
  connectQuickSight,
  registerLeavers,
  seedDeletions,
  servedCalls,
  stateKey,
  type WorkerSandbox,
} from './fixtures/worker-sandbox.js';

const sandbox = useWorkerSandbox();

const deps = workerDeps;
const options = (runId: string, extra: Partial<WorkerOptions> = {}) =>
  workerOptions(runId, { concurrency: 8, leaseMs: 30_000, maxAttempts: 5 }, extra);

async function statuses(s: WorkerSandbox, ids: readonly string[]): Promise<TaskStatus[]> {
  return Promise.all(ids.map(async (id) => ((await s.tasks.get(id)) as Task).status));
}

const outcomes = (rows: StoredAuditRecord[]) =>
  rows.reduce<Record<string, number>>((acc, r) => {
    acc[r.outcome ?? '?'] = (acc[r.outcome ?? '?'] ?? 0) + 1;
    return acc;
  }, {});

describe('runWorker', () => {
  it('deletes each user once (N/A users by principal id), audits every outcome, never resends DONE', async () => {
    const wb = await sandbox.start();
    const users = registerLeavers(wb.state, 45, 10);
    const gone: QuickSightUser = {
      ...users[0],
      userName: 'Role/gone@example.org',
      email: 'gone@example.org',
    } as QuickSightUser;
    const ids = await seedDeletions(wb, [...users, gone]);
    const summary = await runWorker(deps(wb), options('apply-1'));

    expect(summary).toMatchObject({ total: 46, deleted: 45, alreadyGone: 1, failed: 0, calls: 46 });
    expect(exitCodeOf(summary)).toBe(ExitCode.Ok);
    expect(users.some((u) => u.userName === 'N/A')).toBe(true);
    await expectEachDeletedOnce(wb, users, ids);
    expect(servedCalls(wb.standIn)).toBe(46);
    expect((await wb.tasks.get(taskIdFor('default', gone)))?.outcome).toBe('already_gone');

    const rows = await collect(wb.audit.byRun('apply-1'));
    expect(outcomes(rows)).toEqual({ deleted: 45, already_gone: 1 });
    const na = rows.find((r) => r.userName === 'N/A');
    expect(na).toMatchObject({ kind: 'outcome', decision: 'delete', role: 'READER', attempts: 1 });
    expect(na?.detail).toMatchObject({ planRunId: 'plan-run', principalId: expect.any(String) });

    const again = await runWorker(deps(wb), options('apply-2'));
    expect(again).toMatchObject({ total: 0, calls: 0, deleted: 0 });
    expect(servedCalls(wb.standIn)).toBe(46);
  });

  it('never sends a cancelled (re-joined) task, and lets beforeDelete veto one', async () => {
    const wb = await sandbox.start();
    const users = registerLeavers(wb.state, 10);
    const ids = await seedDeletions(wb, users);
    for (const id of ids.slice(0, 3))
      expect(await wb.tasks.cancel(id, 're-joined the group')).toBe(true);
    const vetoed = new Set(ids.slice(3, 5));
    const checked: string[] = [];
    const summary = await runWorker(
      deps(wb, {
        beforeDelete: async (task) => {
          checked.push(task.taskId);
          return vetoed.has(task.taskId)
            ? { skip: 're-joined quicksight-readers@example.com' }
            : 'proceed';
        },
      }),
      options('apply-c'),
    );
    expect(summary).toMatchObject({ total: 7, deleted: 5, cancelled: 2, calls: 5 });
    expect(checked.sort()).toEqual(ids.slice(3).sort());
    for (const [i, u] of users.entries()) {
      const kept = i < 5;
      expect(wb.state.deletes.has(stateKey(u))).toBe(!kept);
      expect(wb.state.get(u.userName) !== undefined).toBe(kept);
    }
    expect(await statuses(wb, ids.slice(0, 5))).toEqual(Array(5).fill('CANCELLED'));
    const rows = await collect(wb.audit.byRun('apply-c'));
    expect(outcomes(rows)).toEqual({ deleted: 5, cancelled: 2 });
    expect(rows.filter((r) => r.outcome === 'cancelled').map((r) => r.reason)).toEqual([
      're-joined quicksight-readers@example.com',
      're-joined quicksight-readers@example.com',
    ]);
  });

  it('defers a task beforeDelete cannot judge now: PENDING again, no attempt used, one audit row, exit 4', async () => {
    const wb = await sandbox.start();
    const users = registerLeavers(wb.state, 6);
    const ids = await seedDeletions(wb, users);
    const deferred = new Set(ids.slice(0, 2));
    const reason =
      'the activity record ends at 2026-12-05T00:00:00.000Z, older than IDSYNC_ACTIVITY_MAX_LAG_HOURS=2: run idsync activity sync';
    const summary = await runWorker(
      deps(wb, {
        beforeDelete: async (task) => (deferred.has(task.taskId) ? { defer: reason } : 'proceed'),
      }),
      options('apply-d', { leased: 'report' }),
    );
    expect(summary).toMatchObject({ total: 6, deleted: 4, deferred: 2, calls: 4, cancelled: 0 });
    expect(summary.deferReason).toBe(reason);
    expect(summary.leftPending).toBe(2);
    expect(exitCodeOf(summary)).toBe(ExitCode.ItemsFailed);
    expect(exitCodeOf({ ...summary, leftPending: 0 })).toBe(ExitCode.ItemsFailed);
    for (const id of deferred) {
      const task = (await wb.tasks.get(id)) as Task;
      expect(task).toMatchObject({ status: 'PENDING', attempts: 0 });
      expect(task.leaseOwner).toBeUndefined();
      expect(task.execRunId).toBeUndefined();
    }
    for (const [i, u] of users.entries())
      expect(wb.state.deletes.has(stateKey(u))).toBe(!deferred.has(ids[i] as string));
    const rows = await collect(wb.audit.byRun('apply-d'));
    expect(outcomes(rows)).toEqual({ deleted: 4, deferred: 2 });
    expect(rows.filter((r) => r.outcome === 'deferred').map((r) => r.reason)).toEqual([
      reason,
      reason,
    ]);

    // A later run that can judge them deletes them: the deferral used no attempt.
    const later = await runWorker(deps(wb), options('apply-d2'));
    expect(later).toMatchObject({ total: 2, deleted: 2, deferred: 0 });
    for (const id of deferred) expect((await wb.tasks.get(id))?.attempts).toBe(1);
  });

  it('fails permanent errors at once (exit code 4); the next run retries the FAILED tasks', async () => {
    const wb = await sandbox.start();
    const users = registerLeavers(wb.state, 6);
    const ids = await seedDeletions(wb, users);
    const wrongAccount = connectQuickSight({ ...wb.endpoints, accountId: '999999999999' });
    const denied = new QuickSightUsers(wrongAccount.client, '999999999999', wb.endpoints.namespace);
    const first = await runWorker(deps(wb, { quickSight: denied }), options('apply-f1'));
    wrongAccount.client.destroy();
    expect(first).toMatchObject({ total: 6, failed: 6, calls: 6, deleted: 0 });
    expect(exitCodeOf(first)).toBe(ExitCode.ItemsFailed);
    const failed = (await wb.tasks.get(ids[0] as string)) as Task;
    expect(failed).toMatchObject({ status: 'FAILED', outcome: 'failed', attempts: 1 });
    expect(failed.lastError).toMatch(/AccessDeniedException/);
    expect(outcomes(await collect(wb.audit.byRun('apply-f1')))).toEqual({ failed: 6 });

    const second = await runWorker(deps(wb), options('apply-f2'));
    expect(second).toMatchObject({ total: 6, deleted: 6, failed: 0 });
    expect((await wb.tasks.get(ids[0] as string))?.attempts).toBe(2);
    expect(wb.state.size).toBe(wb.sandbox.org.counts.quickSightUsers);
  });

  it('stops gracefully: takes no new task, leaves none IN_PROGRESS, and a fresh run finishes', async () => {
    const wb = await sandbox.start({ bucket: { rate: 40, burst: 5 } });
    const users = registerLeavers(wb.state, 80);
    const ids = await seedDeletions(wb, users);
    const controller = new AbortController();
    const state = wb.state;
    const watch = setInterval(() => state.deletes.size >= 20 && controller.abort(), 5);
    const first = await runWorker(
      deps(wb, { pacer: new Pacer({ maxRate: 1000 }) }),
      options('apply-s1', { signal: controller.signal }),
    );
    clearInterval(watch);
    expect(first.stopped).toBe(true);
    expect(first.deleted).toBeGreaterThanOrEqual(20);
    expect(first.deleted).toBeLessThan(80);
    expect(first.deleted + first.alreadyGone + first.released + first.failed).toBe(first.total);
    const after = await statuses(wb, ids);
    expect(after).not.toContain('IN_PROGRESS');
    expect(after.filter((s) => s === 'DONE')).toHaveLength(first.deleted);

    const second = await runWorker(deps(wb), options('apply-s2'));
    expect(second).toMatchObject({ deleted: 80 - first.deleted, alreadyGone: 0, failed: 0 });
    await expectEachDeletedOnce(wb, users, ids);
  });
});
