import { describe, expect, it } from 'vitest';
import { runWorker } from '../../../../services/removals/worker/run-worker.js';
import type { WorkerOptions } from '../../../../services/removals/worker/worker-ports.js';
import type { QuickSightUser } from '../../../../shared/domain.js';
import type { Task } from '../../../../shared/task.js';
import { useWorkerSandbox } from './fixtures/use-worker-sandbox.js';
import { workerDeps, workerOptions } from './fixtures/worker-deps.js';
import { registerLeavers, seedDeletions, stateKey } from './fixtures/worker-sandbox.js';

// A Reader whose activity record shows authoring (an Author once) may still own assets: its
// deletion goes through the handover like an Author's (shared/removal-rules.ts).
const sandbox = useWorkerSandbox();
const options = (runId: string, extra: Partial<WorkerOptions> = {}) =>
  workerOptions(runId, { concurrency: 2, leaseMs: 300, maxAttempts: 3 }, extra);
const deferAll = (handed: Task[]) => async (task: Task) => {
  handed.push(task);
  return { kind: 'deferred' as const, reason: 'owns 1 dashboard; set IDSYNC_ASSET_SUCCESSOR' };
};

describe('the handover of a Reader the record shows as an Author once', () => {
  it('hands over first when the record says so, and only for that Reader', async () => {
    const wb = await sandbox.start();
    const [once, never] = registerLeavers(wb.state, 2) as [QuickSightUser, QuickSightUser];
    await seedDeletions(wb, [once, never]);
    const handed: Task[] = [];
    const summary = await runWorker(
      workerDeps(wb, {
        handOver: deferAll(handed),
        heldOwningRole: async (task) => task.userName === once.userName,
      }),
      options('apply-held'),
    );
    expect(handed.map((t) => t.userName)).toEqual([once.userName]);
    expect(summary).toMatchObject({ deferred: 1, deleted: 1 });
    expect(wb.state.deletes.get(stateKey(once)) ?? 0).toBe(0);
    expect(wb.state.deletes.get(stateKey(never))).toBe(1);
  });

  it('a record that cannot be read counts as "held one": the handover decides', async () => {
    const wb = await sandbox.start();
    const users = registerLeavers(wb.state, 1);
    await seedDeletions(wb, users);
    const handed: Task[] = [];
    const summary = await runWorker(
      workerDeps(wb, {
        handOver: deferAll(handed),
        heldOwningRole: async () => {
          throw new Error('activity table unavailable');
        },
      }),
      options('apply-unread'),
    );
    expect(handed).toHaveLength(1);
    expect(summary).toMatchObject({ deferred: 1, deleted: 0 });
  });
});
