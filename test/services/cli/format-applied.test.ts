import { describe, expect, it } from 'vitest';
import { describeCalls, formatSummary } from '../../../services/cli/format-applied.js';
import { emptyCounts, type WorkerSummary } from '../../../services/removals/worker/progress.js';

/** The worker's closing text names its calls by service (services/cli/format-applied.ts). */

const summary = (over: Partial<WorkerSummary>): WorkerSummary => ({
  ...emptyCounts(),
  elapsedMs: 2_000,
  effectiveRate: 1,
  stopped: false,
  waitedMs: 0,
  ...over,
});

describe('the calls of a run, by service', () => {
  it('QuickSight only: "N QuickSight calls", as before', () => {
    expect(describeCalls({ calls: 7, googleCalls: 0 })).toBe('7 QuickSight calls');
    expect(formatSummary(summary({ calls: 7, deleted: 7 })).split('\n')[1]).toBe(
      '  7 QuickSight calls, 0 throttled, in 2.0 s (1.0 users/s)',
    );
  });

  it('group removals only: Google Directory calls, no QuickSight calls claimed', () => {
    const text = formatSummary(summary({ calls: 2, googleCalls: 2, leftGroup: 2 }));
    expect(text.split('\n')[1]).toBe(
      '  2 Google Directory calls, 0 throttled, in 2.0 s (1.0 users/s)',
    );
    expect(text).not.toContain('QuickSight calls');
    expect(describeCalls({ calls: 1, googleCalls: 1 })).toBe('1 Google Directory call');
  });

  it('both: each service with its own count', () => {
    expect(describeCalls({ calls: 1_205, googleCalls: 5 })).toBe(
      '1,200 QuickSight calls, 5 Google Directory calls',
    );
  });
});
