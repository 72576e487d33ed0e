import { describe, expect, it } from 'vitest';
import { sleep } from '../../../../shared/retry.js';
import type { Task } from '../../../../shared/task.js';
import { expectEachDeletedOnce, useWorkerSandbox } from './fixtures/use-worker-sandbox.js';
import { forkWorker, type WorkerChildConfig } from './fixtures/worker-process.js';
import { registerLeavers, seedDeletions, servedCalls } from './fixtures/worker-sandbox.js';

/**
 * Acceptance: a worker process killed with SIGKILL mid-way leaves its claimed tasks
 * IN_PROGRESS under a lease; once the lease has expired a fresh worker takes them over and
 * finishes the rest, and no user is deleted twice.
 */

const sandbox = useWorkerSandbox();

const N = 300;
const LEASE_MS = 2_000;
const CONCURRENCY = 16;

describe('worker killed mid-way', () => {
  it('SIGKILL after ~1/3, restart after the lease expires: all done, none deleted twice', async () => {
    const wb = await sandbox.start({ bucket: { rate: 100, burst: 10 } });
    const users = registerLeavers(wb.state, N);
    const ids = await seedDeletions(wb, users);
    const config = (owner: string): WorkerChildConfig => ({
      endpoints: wb.endpoints as WorkerChildConfig['endpoints'],
      runId: `apply-${owner}`,
      owner,
      concurrency: CONCURRENCY,
      leaseMs: LEASE_MS,
      maxAttempts: 10,
      maxRate: 1000,
    });

    const first = forkWorker(config('first'));
    // The fresh worker boots meanwhile and waits for `go`: the test waits for leases, not Node.
    const second = forkWorker({ ...config('second'), waitForGo: true });
    while (wb.state.deletes.size < N / 3) {
      if (first.child.exitCode !== null) throw new Error(`worker ended early: ${first.stderr()}`);
      await sleep(2);
    }
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    await expect(first.done).rejects.toThrow(/without a result/);
    const deletedByFirst = wb.state.deletes.size;
    expect(deletedByFirst).toBeLessThan(N);
    const orphaned = (await Promise.all(ids.map((id) => wb.tasks.get(id)))).filter(
      (t) => (t as Task).status === 'IN_PROGRESS',
    );
    expect(orphaned.length).toBeGreaterThan(0);
    expect(orphaned.every((t) => t?.leaseOwner === 'first')).toBe(true);

    await sleep(LEASE_MS + 200);
    await second.ready;
    second.go();
    const { summary } = await second.done;

    expect(summary.failed).toBe(0);
    // Calls in flight when the first worker died may have deleted their user: the second worker
    // finds those gone and, as the task counted that call, records them as deleted (confirmed on
    // retry), never as already gone; what must never happen is a second delete.
    const after = await Promise.all(ids.map((id) => wb.tasks.get(id)));
    const doneByFirst = after.filter((t) => t?.leaseOwner === 'first').length;
    expect(summary.deleted).toBe(N - doneByFirst);
    expect(summary.alreadyGone).toBe(0);
    expect(deletedByFirst - doneByFirst).toBeLessThanOrEqual(CONCURRENCY);
    await expectEachDeletedOnce(wb, users, ids);
    expect(servedCalls(wb.standIn)).toBeLessThanOrEqual(N + CONCURRENCY);
    expect(after.filter((t) => t?.leaseOwner === 'second')).toHaveLength(
      summary.deleted + summary.alreadyGone,
    );
  }, 90_000);
});
