import { describe, expect, it } from 'vitest';
import { expectEachDeletedOnce, useWorkerSandbox } from './fixtures/use-worker-sandbox.js';
import { forkWorker } from './fixtures/worker-process.js';
import { registerLeavers, seedDeletions, servedCalls } from './fixtures/worker-sandbox.js';

/**
 * Acceptance: 600 deletions against the QuickSight stand-in's token bucket at
 * R = 40/s (burst 10) with 20 % of served calls answered 500 all finish, none deleted twice.
 * The worker runs in its own process with the real SDK client (SDK retries off).
 */

const sandbox = useWorkerSandbox();

describe('worker against a throttling, failing QuickSight', () => {
  it('600 deletions at R = 40/s with 20 % 5xx: all deleted, none twice, no hammering', async () => {
    const N = 600;
    const wb = await sandbox.start({ bucket: { rate: 40, burst: 10 }, errorRate: 0.2 });
    const users = registerLeavers(wb.state, N);
    const ids = await seedDeletions(wb, users);
    const worker = forkWorker({
      endpoints: wb.endpoints,
      runId: 'apply-5xx',
      owner: 'worker-5xx',
      concurrency: 16,
      leaseMs: 30_000,
      maxAttempts: 10,
      maxRate: 1000,
    });
    const { summary } = await worker.done;
    expect((await worker.exited).code).toBe(0);

    expect(summary).toMatchObject({ total: N, deleted: N, alreadyGone: 0, failed: 0 });
    await expectEachDeletedOnce(wb, users, ids);
    // Every call the stand-in served was a first delete of that user: nothing was sent twice.
    expect(servedCalls(wb.standIn)).toBe(N);
    const counters = wb.standIn.faults.counters;
    expect(summary.calls).toBe(counters.calls);
    expect(summary.errorCalls).toBe(counters.errors);
    expect(counters.errors).toBeGreaterThan(N * 0.1);
    expect(counters.throttled / counters.calls).toBeLessThan(0.1);
    let audited = 0;
    for await (const page of wb.audit.byRun('apply-5xx'))
      audited += page.filter((r) => r.outcome === 'deleted').length;
    expect(audited).toBe(N);
  }, 90_000);
});
