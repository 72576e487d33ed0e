import { describe, expect, it } from 'vitest';
import { runWorker } from '../../../../services/removals/worker/run-worker.js';
import type {
  WorkerOptions,
  WorkerTaskStore,
} from '../../../../services/removals/worker/worker-ports.js';
import type { StoredAuditRecord } from '../../../../shared/dynamo/audit-store.js';
import { sleep } from '../../../../shared/retry.js';
import { expectEachDeletedOnce, useWorkerSandbox } from './fixtures/use-worker-sandbox.js';
import { collect, workerDeps, workerOptions } from './fixtures/worker-deps.js';
import { registerLeavers, seedDeletions, type WorkerSandbox } from './fixtures/worker-sandbox.js';

/**
 * Leases and outcome rows on the worker: a lease follows its owner (the heartbeat keeps it while a
 * call takes longer than the lease), and the outcome row is written before the task's final state
 * under a key fixed per execution, so a run killed between the two writes and its rerun leave
 * exactly one outcome row per deletion.
 */

const sandbox = useWorkerSandbox();

const deps = workerDeps;
const options = (runId: string, extra: Partial<WorkerOptions> = {}) =>
  workerOptions(runId, { concurrency: 4, leaseMs: 300, maxAttempts: 5 }, extra);

const killed = async (): Promise<never> => {
  throw new Error('killed here (simulated)');
};

/** The task store with every method passed through, `complete` replaced by `complete`. */
function storeWith(s: WorkerSandbox, over: Partial<WorkerTaskStore>): WorkerTaskStore {
  const t = s.tasks;
  return {
    claimable: (n) => t.claimable(n),
    leased: (n) => t.leased(n),
    claim: (...a) => t.claim(...a),
    renew: (...a) => t.renew(...a),
    complete: (...a) => t.complete(...a),
    fail: (...a) => t.fail(...a),
    release: (...a) => t.release(...a),
    block: (...a) => t.block(...a),
    ...over,
  };
}

describe('leases follow their owner', () => {
  it('a call longer than the lease keeps its lease: no other worker can claim the task', async () => {
    const wb = await sandbox.start({ latencyMs: 1_200 });
    const users = registerLeavers(wb.state, 2);
    const ids = await seedDeletions(wb, users);
    let stolen = 0;
    let watching = true;
    const rival = (async () => {
      // Once the worker holds both tasks, a rival keeps trying to take them over.
      for (;;) {
        const held = await Promise.all(ids.map((id) => wb.tasks.get(id)));
        if (held.every((h) => h?.status === 'IN_PROGRESS')) break;
        await sleep(10);
      }
      while (watching) {
        for (const id of ids) if (await wb.tasks.claim(id, 'rival', 300, Date.now())) stolen++;
        await sleep(50);
      }
    })();
    // 600 ms: renewed every 150 ms, so only a stall of the event loop longer than the lease (a
    // loaded machine) could let it run out; the 1,200 ms calls still outlive it twice over.
    const summary = await runWorker(deps(wb), options('apply-hb', { leaseMs: 600 }));
    watching = false;
    await rival;
    expect(stolen).toBe(0);
    expect(summary.elapsedMs).toBeGreaterThan(1_000); // the calls outlived the 600 ms lease
    expect(summary).toMatchObject({ deleted: 2, skipped: 0, failed: 0 });
    await expectEachDeletedOnce(wb, users, ids);
  });
});

describe('waiting for leased tasks', () => {
  it('a lease that runs out between the listing of claimable and of leased tasks is still taken', async () => {
    const wb = await sandbox.start();
    const users = registerLeavers(wb.state, 1);
    const ids = await seedDeletions(wb, users);
    // A dead worker holds the task until T.
    const T = Date.now() + 60_000;
    expect(await wb.tasks.claim(ids[0] as string, 'dead', 60_000, T - 60_000)).toBeDefined();
    // The run's clock reads T - 1 until its first listing of claimable tasks is over, T + 1 after:
    // the task is not claimable at the first listing and no longer leased at the next one.
    let now = T - 1;
    const tasks = storeWith(wb, {
      claimable: async function* (n) {
        yield* wb.tasks.claimable(n);
        now = T + 1;
      },
    });
    const summary = await runWorker(
      deps(wb, { tasks, clock: { now: () => now } }),
      options('apply-gap', { leased: 'wait' }),
    );
    expect(summary).toMatchObject({ deleted: 1, leftPending: 0, leftLeased: 0 });
    await expectEachDeletedOnce(wb, users, ids);
  });
});

describe('outcome row before the final state, one per deletion whatever the kill point', () => {
  for (const point of ['audit', 'state'] as const) {
    it(`killed at the ${point === 'audit' ? 'outcome row' : "task's final state"}: the rerun leaves one 'deleted' row per user`, async () => {
      const wb = await sandbox.start();
      const users = registerLeavers(wb.state, 6);
      const ids = await seedDeletions(wb, users);
      const first = await runWorker(
        deps(wb, {
          ...(point === 'audit'
            ? { audit: { append: killed, appendOnce: killed } }
            : { tasks: storeWith(wb, { complete: killed }) }),
        }),
        options('apply-k1'),
      );
      // Every user was deleted; the bookkeeping after the call "died".
      expect(first).toMatchObject({ calls: 6, failed: 6, deleted: 0 });
      expect(wb.state.deletes.size).toBe(6);

      await sleep(400); // the dead run's leases run out (no heartbeat renews them)
      const second = await runWorker(deps(wb), options('apply-k2'));
      expect(second).toMatchObject({ deleted: 6, alreadyGone: 0, failed: 0 });
      await expectEachDeletedOnce(wb, users, ids);

      const rows = [
        ...(await collect(wb.audit.byRun('apply-k1'))),
        ...(await collect(wb.audit.byRun('apply-k2'))),
      ].filter((r: StoredAuditRecord) => r.kind === 'outcome');
      const perTask = new Map<string, string[]>();
      for (const r of rows) {
        const id = String(r.detail?.taskId);
        perTask.set(id, [...(perTask.get(id) ?? []), r.outcome ?? '?']);
      }
      expect([...perTask.keys()].sort()).toEqual([...ids].sort());
      for (const id of ids) expect(perTask.get(id)).toEqual(['deleted']);
    });
  }
});
