import { describe, expect, it } from 'vitest';
import {
  idealMakespanMs,
  meanRate,
  peakCallsInWindow,
  type SimulationOptions,
  simulatePacing,
} from './simulated-bucket.js';

/**
 * The pacer against a simulated token-bucket API in virtual time, with the targets of BENCHMARKS.md:
 * makespan ≤ 1.10 × N/R (≤ 1.15 when R drops mid-run), ≤ 3 % of calls throttled, ≤ 1.05 calls
 * per item, nothing lost. The pacer never knows R; IDSYNC_RATE (maxRate) is far above it.
 */
const base = {
  concurrency: 16,
  latencyMs: 20,
  pacer: { maxRate: 1000 },
} satisfies Partial<SimulationOptions>;

function expectTargets(
  result: Awaited<ReturnType<typeof simulatePacing>>,
  items: number,
  maxRatio: number,
) {
  expect(result.done).toBe(items);
  expect(result.failed).toBe(0);
  expect(result.ratio).toBeLessThanOrEqual(maxRatio);
  expect(result.throttledShare).toBeLessThanOrEqual(0.03);
  expect(result.callsPerItem).toBeLessThanOrEqual(1.05);
}

describe('idealMakespanMs', () => {
  it('is N / R, piecewise when the rate changes', () => {
    expect(idealMakespanMs(900, { rate: 50, burst: 20 })).toBe(18_000);
    const drop = { rate: 50, burst: 20, changes: [{ atMs: 9000, rate: 25 }] };
    expect(idealMakespanMs(900, drop)).toBe(9000 + (450 / 25) * 1000);
    expect(idealMakespanMs(300, drop)).toBe(6000);
  });
});

describe('pacing a token-bucket API in virtual time', () => {
  it.each([10, 50, 200])('converges to just under R = %i/s from 5/s', async (rate) => {
    const result = await simulatePacing({
      ...base,
      items: rate * 30,
      server: { rate, burst: 20 },
    });
    const end = result.makespanMs;
    const mean = meanRate(result.rates, end / 2, end);
    expect(mean).toBeGreaterThan(0.9 * rate);
    expect(mean).toBeLessThan(1.05 * rate);
    expect(result.stats.estimate).toBeGreaterThan(0.9 * rate);
    expect(result.stats.estimate).toBeLessThan(1.1 * rate);
    // What the server actually served in the second half.
    const lateCalls = result.grants.filter((t) => t >= end / 2).length;
    expect((lateCalls - result.throttled) / (end / 2000)).toBeGreaterThan(0.9 * rate);
  });

  it.each([
    { latencyMs: 5, seed: 1 },
    { latencyMs: 20, seed: 2 },
    { latencyMs: 50, seed: 3 },
    { latencyMs: 100, seed: 4 },
  ])(
    'deletes 900 at R = 50, burst 20 within the targets (latency $latencyMs ms)',
    async ({ latencyMs, seed }) => {
      const result = await simulatePacing({
        ...base,
        latencyMs,
        seed,
        items: 900,
        server: { rate: 50, burst: 20 },
      });
      expectTargets(result, 900, 1.1);
    },
  );

  it('deletes 10,000 at R = 50 within the targets', async () => {
    const result = await simulatePacing({
      ...base,
      items: 10_000,
      server: { rate: 50, burst: 20 },
    });
    expectTargets(result, 10_000, 1.1);
  });

  it.each([
    { items: 900, atMs: 9000 },
    { items: 10_000, atMs: 100_000 },
  ])('follows R dropping from 50 to 25 mid-run (N = $items)', async ({ items, atMs }) => {
    const server = { rate: 50, burst: 20, changes: [{ atMs, rate: 25 }] };
    const result = await simulatePacing({ ...base, items, server });
    expectTargets(result, items, 1.15);
    const end = result.makespanMs;
    expect(meanRate(result.rates, atMs + 3000, end)).toBeLessThan(25 * 1.05);
  });

  it('never exceeds maxRate, even when the API would allow more', async () => {
    const result = await simulatePacing({
      ...base,
      items: 600,
      server: { rate: 50, burst: 20 },
      pacer: { maxRate: 30 },
    });
    expect(Math.max(...result.rates.map((r) => r.rate))).toBeLessThanOrEqual(30);
    expect(peakCallsInWindow(result.grants, 1000)).toBeLessThanOrEqual(31);
    expect(result.throttled).toBe(0);
    expect(result.makespanMs).toBeLessThan((600 / 30) * 1000 * 1.1);
  });

  it.each([50, 60, 100])(
    'keeps the targets when IDSYNC_RATE is %i/s, near R = 50/s',
    async (maxRate) => {
      const result = await simulatePacing({
        ...base,
        items: 900,
        server: { rate: 50, burst: 20 },
        pacer: { maxRate },
      });
      expectTargets(result, 900, 1.1);
    },
  );

  it('honours Retry-After per call (the stand-in sends whole seconds) and keeps the targets', async () => {
    const result = await simulatePacing({
      ...base,
      items: 900,
      retryAfter: 'whole-seconds',
      server: { rate: 50, burst: 20 },
    });
    expect(result.retriesAfterRetryAfter).toBe(result.throttled);
    expect(result.retriesAfterRetryAfter).toBeGreaterThan(0);
    expect(result.earlyRetries).toBe(0);
    expectTargets(result, 900, 1.1);
  });

  it('keeps the targets with a global Retry-After pause when the server names exact waits', async () => {
    const result = await simulatePacing({
      ...base,
      items: 900,
      retryAfter: 'exact',
      server: { rate: 50, burst: 20 },
      pacer: { maxRate: 1000, maxPauseMs: 20_000 },
    });
    expect(result.earlyRetries).toBe(0);
    expectTargets(result, 900, 1.1);
  });

  it('does not inflate the rate when the callers, not the API, are the limit', async () => {
    // 2 callers × 100 ms round trips: at most 20 calls/s of demand, under R = 50.
    const result = await simulatePacing({
      ...base,
      concurrency: 2,
      latencyMs: 100,
      latencyJitter: 0,
      items: 400,
      server: { rate: 50, burst: 20 },
    });
    expect(result.throttled).toBe(0);
    expect(result.stats.rate).toBeLessThan(50);
    expect(result.makespanMs).toBeLessThan(400 * 100 * 0.5 * 1.05);
  });

  it('loses nothing with 20 % server errors (errors use capacity: ideal is N / 0.8R)', async () => {
    const result = await simulatePacing({
      ...base,
      items: 600,
      server: { rate: 40, burst: 10, errorRate: 0.2 },
    });
    expect(result.done).toBe(600);
    expect(result.failed).toBe(0);
    expect(result.ratio * 0.8).toBeLessThanOrEqual(1.1);
    expect(result.throttledShare).toBeLessThanOrEqual(0.03);
  });
});
