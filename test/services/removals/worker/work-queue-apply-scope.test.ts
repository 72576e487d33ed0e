import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ATTEMPT_POLICY } from '../../../../services/removals/worker/pacing/call-pacing.js';
import { workerRunOptions } from '../../../../services/removals/worker/work-queue.js';
import { loadConfig } from '../../../../shared/config/index.js';

describe('starting a worker run (CLI and Lambda alike)', () => {
  it('takes the lease and concurrency from the worker config and owns the run per process', () => {
    const { worker } = loadConfig(['worker'], {
      IDSYNC_LEASE_SECONDS: '15',
      IDSYNC_CONCURRENCY: '4',
    });
    const signal = new AbortController().signal;
    const options = workerRunOptions({ runId: 'r-1', worker, signal, leased: 'wait' });
    expect(options).toEqual({
      runId: 'r-1',
      concurrency: 4,
      leaseMs: 15_000,
      maxAttempts: DEFAULT_ATTEMPT_POLICY.maxAttempts,
      owner: `${hostname()}:${process.pid}:r-1`,
      signal,
      leased: 'wait',
    });
    // The Lambda sets no `leased`: its queue delivers again what it did not finish.
    expect(workerRunOptions({ runId: 'r-2', worker }).leased).toBeUndefined();
  });
});
