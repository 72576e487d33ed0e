import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_SETTINGS } from '../../../../services/removals/worker/pacing/adaptive-rate.js';
import { runWorker } from '../../../../services/removals/worker/run-worker.js';
import { AccountPacers } from '../../../../services/removals/worker/task-scopes.js';
import { DynamoPaceStore } from '../../../../shared/dynamo/guard-table-store.js';
import { createLogger } from '../../../../shared/logger.js';
import { useWorkerSandbox } from './fixtures/use-worker-sandbox.js';
import { workerDeps, workerOptions } from './fixtures/worker-deps.js';
import { registerLeavers, seedDeletions, type WorkerSandbox } from './fixtures/worker-sandbox.js';

/**
 * The worker's pace across runs (services/removals/worker/task-scopes.ts): a run that was
 * throttled remembers the rate QuickSight served (guard table), and the next run, in a fresh
 * process, starts at that pace instead of slow start at 5 calls/s; a remembered pace above
 * today's R is corrected by the first throttle. Against the QuickSight stand-in throttling a
 * share of calls, with the real SDK client.
 */

const sandbox = useWorkerSandbox();
/** A share of calls the stand-in throttles whatever the pace: a throttle comes in any case. */
const THROTTLED = 0.25;
/** A shorter measurement than the default (20 served calls): ~0.5 s instead of ~1 s. */
const QUICK_MEASUREMENT = { measureMinServed: 8 };

/** One run of a "process": its own pacers, recalled from the guard table, remembered at the end. */
async function run(wb: WorkerSandbox, runId: string, from: number, count: number) {
  const lines: Array<{ msg: string; estimate?: number; phase?: string }> = [];
  const logger = createLogger({
    level: 'info',
    destination: { write: (line: string) => lines.push(JSON.parse(line)) },
  });
  const pacers = new AccountPacers(
    new DynamoPaceStore(wb.doc, wb.names.guard),
    1000,
    logger,
    Date.now,
    QUICK_MEASUREMENT,
  );
  const account = wb.endpoints.accountId;
  await pacers.recall([account]);
  const pacer = pacers.of(account);
  const { phase: startPhase, rate: startRate } = pacer.stats();
  await seedDeletions(wb, registerLeavers(wb.state, count, from), runId);
  const summary = await runWorker(
    workerDeps(wb, { pacer }),
    workerOptions(runId, { concurrency: 16, leaseMs: 30_000, maxAttempts: 10 }),
  );
  await pacers.remember();
  return { summary, startPhase, startRate, lines, pacer };
}

describe('the pace QuickSight served, remembered across runs', () => {
  it('a run starts in avoid at 0.95 × the remembered pace; a throttle there measures the pace served, remembered in its place', async () => {
    const wb = await sandbox.start({ throttleRate: THROTTLED });
    const store = new DynamoPaceStore(wb.doc, wb.names.guard);
    const account = wb.endpoints.accountId;
    // An earlier run measured 30/s an hour ago.
    const earlier = { estimate: 30, measuredAt: Date.now() - 3_600_000 };
    await store.remember(account, earlier);

    const warm = await run(wb, 'apply-warm', 0, 40);
    expect(warm.summary).toMatchObject({ total: 40, deleted: 40, failed: 0 });
    expect(warm.startPhase).toBe('avoid');
    expect(warm.startRate).toBeCloseTo(DEFAULT_RATE_SETTINGS.targetFraction * 30, 9);
    expect(
      warm.lines.find((l) => l.msg === 'pacer starts from the remembered QuickSight pace'),
    ).toMatchObject({ phase: 'avoid', estimate: 30 });
    // Throttled, it measured the pace served, and that measurement replaced the older one.
    const { estimate: measured = 0, measuredAt } = warm.pacer.stats();
    expect(measuredAt).toBeGreaterThan(earlier.measuredAt);
    expect(measured).toBeGreaterThan(0);
    expect(await store.recall(account)).toEqual({ estimate: measured, measuredAt });
    expect(warm.lines.filter((l) => l.msg === 'QuickSight pace remembered')).toHaveLength(1);

    // The next process starts from it.
    const next = await run(wb, 'apply-next', 1000, 2);
    expect(next.startPhase).toBe('avoid');
    expect(next.startRate).toBeCloseTo(DEFAULT_RATE_SETTINGS.targetFraction * measured, 9);
  }, 20_000);
});
