import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../services/sandbox/scenarios/random.js';
import {
  type BackoffPolicy,
  backoffDelayMs,
  DEFAULT_BACKOFF,
  type RetryOptions,
  withRetry,
} from '../../shared/retry.js';

const policyArb = fc
  .record({
    baseMs: fc.integer({ min: 1, max: 10_000 }),
    capMs: fc.integer({ min: 1, max: 120_000 }),
  })
  .filter((p) => p.baseMs <= p.capMs);

describe('backoffDelayMs', () => {
  it('never exceeds the cap, for any attempt, base, cap, random draw or Retry-After', () => {
    fc.assert(
      fc.property(
        policyArb,
        fc.integer({ min: 1, max: 10_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.option(fc.integer({ min: 0, max: 10 * 24 * 3600 * 1000 }), { nil: undefined }),
        (policy, retry, draw, retryAfterMs) => {
          const delay = backoffDelayMs(retry, policy, () => draw, retryAfterMs);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(policy.capMs);
        },
      ),
    );
  });

  it('stays within the exponential envelope min(cap, base · 2^(retry-1))', () => {
    fc.assert(
      fc.property(
        policyArb,
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (policy, retry, draw) => {
          const envelope = Math.min(policy.capMs, policy.baseMs * 2 ** (retry - 1));
          expect(backoffDelayMs(retry, policy, () => draw)).toBeLessThanOrEqual(envelope);
        },
      ),
    );
  });

  it('uses full jitter: delays spread over the whole envelope, mean about half of it', () => {
    const policy = { baseMs: 100, capMs: 60_000 };
    const random = mulberry32(7);
    for (const retry of [1, 4, 8]) {
      const envelope = Math.min(policy.capMs, policy.baseMs * 2 ** (retry - 1));
      const delays = Array.from({ length: 4000 }, () => backoffDelayMs(retry, policy, random));
      const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
      expect(mean / envelope).toBeGreaterThan(0.47);
      expect(mean / envelope).toBeLessThan(0.53);
      // Every tenth of the range is hit (uniform, not clustered near the envelope).
      const deciles = new Set(delays.map((d) => Math.floor((d / envelope) * 10)));
      expect(deciles.size).toBe(10);
      expect(Math.min(...delays)).toBeLessThan(envelope * 0.01);
      expect(Math.max(...delays)).toBeGreaterThan(envelope * 0.99);
    }
  });

  it('treats Retry-After as a floor, itself capped', () => {
    const policy = { baseMs: 100, capMs: 20_000 };
    expect(backoffDelayMs(1, policy, () => 0, 1500)).toBe(1500);
    expect(backoffDelayMs(1, policy, () => 0.99, 10)).toBeCloseTo(99, 5);
    // A server asking for 3 days gets the cap, never days.
    expect(backoffDelayMs(1, policy, () => 0, 3 * 24 * 3600 * 1000)).toBe(20_000);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20_000 }), (retryAfterMs) => {
        expect(backoffDelayMs(3, policy, () => 0, retryAfterMs)).toBe(retryAfterMs);
      }),
    );
  });

  it('does not overflow for absurd attempt numbers', () => {
    expect(backoffDelayMs(1_000_000, DEFAULT_BACKOFF, () => 0.5)).toBe(DEFAULT_BACKOFF.capMs / 2);
  });
});

class Flaky extends Error {
  constructor(
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(retryable ? 'transient' : 'permanent');
  }
}

function options(overrides: Partial<RetryOptions> = {}) {
  const waits: number[] = [];
  const opts: RetryOptions = {
    policy: { baseMs: 100, capMs: 1000, maxAttempts: 4 },
    classify: (error) =>
      error instanceof Flaky
        ? {
            retryable: error.retryable,
            ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
          }
        : { retryable: false },
    sleep: async (ms) => {
      waits.push(ms);
    },
    random: () => 0.5,
    ...overrides,
  };
  return { opts, waits };
}

describe('withRetry', () => {
  it('returns the first success and passes the attempt number', async () => {
    const { opts, waits } = options();
    const seen: number[] = [];
    const result = await withRetry(async (attempt) => {
      seen.push(attempt);
      if (attempt < 3) throw new Flaky(true);
      return 'ok';
    }, opts);
    expect(result).toBe('ok');
    expect(seen).toEqual([1, 2, 3]);
    expect(waits).toEqual([50, 100]);
  });

  it('stops after maxAttempts and rethrows the last error', async () => {
    const { opts, waits } = options();
    let calls = 0;
    const last = new Flaky(true);
    await expect(
      withRetry(async () => {
        calls++;
        throw calls === 4 ? last : new Flaky(true);
      }, opts),
    ).rejects.toBe(last);
    expect(calls).toBe(4);
    expect(waits).toHaveLength(3);
  });

  it('does not retry a non-retryable error', async () => {
    const { opts, waits } = options();
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw new Flaky(false);
      }, opts),
    ).rejects.toBeInstanceOf(Flaky);
    expect(calls).toBe(1);
    expect(waits).toEqual([]);
  });

  it('waits at least the Retry-After, capped, and reports each retry', async () => {
    const retries: { attempt: number; delayMs: number }[] = [];
    const { opts, waits } = options({
      onRetry: ({ attempt, delayMs }) => retries.push({ attempt, delayMs }),
    });
    let calls = 0;
    await withRetry(async () => {
      calls++;
      if (calls === 1) throw new Flaky(true, 700);
      if (calls === 2) throw new Flaky(true, 86_400_000);
      return calls;
    }, opts);
    expect(waits).toEqual([700, 1000]);
    expect(retries).toEqual([
      { attempt: 1, delayMs: 700 },
      { attempt: 2, delayMs: 1000 },
    ]);
  });

  it('stops retrying once the signal is aborted', async () => {
    const controller = new AbortController();
    const { opts } = options({ signal: controller.signal });
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        controller.abort();
        throw new Flaky(true);
      }, opts),
    ).rejects.toBeInstanceOf(Flaky);
    expect(calls).toBe(1);
  });

  it('never waits longer than the cap between attempts, whatever the server asks', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.option(fc.integer({ min: 0, max: 10 ** 9 }), { nil: undefined }), {
          minLength: 1,
          maxLength: 8,
        }),
        async (retryAfters) => {
          const policy: BackoffPolicy = { baseMs: 200, capMs: 5000, maxAttempts: 9 };
          const { opts, waits } = options({ policy, random: Math.random });
          let i = 0;
          await withRetry(async () => {
            if (i < retryAfters.length) throw new Flaky(true, retryAfters[i++]);
            return i;
          }, opts);
          expect(waits).toHaveLength(retryAfters.length);
          for (const w of waits) expect(w).toBeLessThanOrEqual(policy.capMs);
        },
      ),
    );
  });
});
