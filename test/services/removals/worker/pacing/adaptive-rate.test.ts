import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AdaptiveRate,
  DEFAULT_RATE_SETTINGS,
} from '../../../../../services/removals/worker/pacing/adaptive-rate.js';
import { measureAt } from './measure-at.js';

/** A controller that slow-started to 80/s, was throttled, and measured R = 40/s; and when. */
function measuredAt40() {
  const c = new AdaptiveRate({ maxRate: 1000 }, 0);
  c.advance(1600, true);
  c.onThrottle(1600, 1590);
  return { c, t: measureAt(c, 1600, 40, 5) };
}

describe('AdaptiveRate', () => {
  it('starts at the initial rate, never above the ceiling', () => {
    expect(new AdaptiveRate({ maxRate: 100 }, 0).rate).toBe(DEFAULT_RATE_SETTINGS.initialRate);
    expect(new AdaptiveRate({ maxRate: 3 }, 0).rate).toBe(3);
    expect(() => new AdaptiveRate({ maxRate: 0 }, 0)).toThrow(RangeError);
  });

  it('doubles every slowStartDoublingMs while callers want more, and not otherwise', () => {
    const c = new AdaptiveRate({ maxRate: 1000, initialRate: 5, slowStartDoublingMs: 400 }, 0);
    c.advance(400, true);
    expect(c.rate).toBeCloseTo(10, 6);
    c.advance(1200, true);
    expect(c.rate).toBeCloseTo(40, 6);
    c.advance(5000, false);
    expect(c.rate).toBeCloseTo(40, 6);
    c.advance(5000 + 60_000, true);
    expect(c.rate).toBe(1000);
    expect(c.state().phase).toBe('slow-start');
  });

  it('measures R from the calls served after the first throttle, then runs just under it', () => {
    const c = new AdaptiveRate({ maxRate: 1000 }, 0);
    c.advance(1600, true); // 5 → 80/s
    c.onThrottle(1600, 1590);
    expect(c.state().phase).toBe('measure');
    expect(c.rate).toBeCloseTo(80 * DEFAULT_RATE_SETTINGS.measureSlowStartCut, 6);
    // The server (R = 40/s, bucket empty) serves 40 calls a second and throttles the rest.
    const end = measureAt(c, 1600, 40, 5);
    expect(end - 1600).toBeGreaterThanOrEqual(DEFAULT_RATE_SETTINGS.measureMinMs);
    const state = c.state();
    expect(state.phase).toBe('avoid');
    expect(state.estimate).toBeGreaterThan(38);
    expect(state.estimate).toBeLessThan(42);
    expect(c.rate).toBeCloseTo((state.estimate ?? 0) * DEFAULT_RATE_SETTINGS.targetFraction, 6);
  });

  it('counts one overshoot once: 429s of calls sent before the decrease are ignored', () => {
    const { c, t } = measuredAt40();
    const rate = c.rate;
    // The tail of the episode: sent before the decrease, or during the recovery time.
    c.onThrottle(t + 10, t - 20);
    c.onThrottle(t + 20, t + 5);
    expect(c.state().phase).toBe('avoid');
    expect(c.rate).toBe(rate);
    // A 429 of a call sent well after it is news: a new measurement at the current rate.
    c.advance(t + 5000, true);
    const before = c.rate;
    expect(before).toBeGreaterThan(rate);
    c.onThrottle(t + 5000, t + 4990);
    expect(c.state().phase).toBe('measure');
    expect(c.rate).toBe(before);
  });

  it('follows a rate that drops: the next measurement reads the new R', () => {
    const { c, t: measuredAt } = measuredAt40();
    const t = measuredAt + 4000;
    c.advance(t, true);
    c.onThrottle(t, t - 10);
    // The server now serves only 20/s.
    measureAt(c, t, 20, 2);
    const state = c.state();
    expect(state.phase).toBe('avoid');
    expect(state.estimate).toBeGreaterThan(18);
    expect(state.estimate).toBeLessThan(22);
  });

  it('probes upward slowly in avoid, faster the longer no throttle comes, and restarts slow start when R grew', () => {
    const { c, t } = measuredAt40();
    const start = c.rate;
    const estimate = c.state().estimate ?? 0;
    c.advance(t + 1000, true);
    const firstSecond = c.rate - start;
    expect(firstSecond).toBeGreaterThan(0);
    expect(firstSecond).toBeLessThan(0.02 * estimate);
    c.advance(t + 10_000, true);
    const before = c.rate;
    c.advance(t + 11_000, true);
    expect(c.rate - before).toBeGreaterThan(1.5 * firstSecond);
    c.advance(t + 60_000, true);
    expect(c.state().phase).toBe('slow-start');
    expect(c.rate).toBeGreaterThan(DEFAULT_RATE_SETTINGS.restartAbove * estimate);
  });

  it('raises a measurement that started below R (no throttles while served)', () => {
    const c = new AdaptiveRate({ maxRate: 1000 }, 0);
    c.advance(1200, true); // 40/s
    c.onThrottle(1200, 1190); // cut to 16/s, but the server could serve 30/s
    const rates: number[] = [];
    for (let i = 1; i <= 60; i++) {
      c.onServed(1200 + i * 40);
      rates.push(c.rate);
    }
    expect(Math.max(...rates)).toBeGreaterThan(16 * 1.5);
  });

  it('pauses every call on Retry-After only when maxPauseMs allows it, capped', () => {
    const off = new AdaptiveRate({ maxRate: 50 }, 0);
    off.onThrottle(100, 90, 1000);
    expect(off.pausedUntil).toBe(0);
    const on = new AdaptiveRate({ maxRate: 50, maxPauseMs: 2000 }, 0);
    on.onThrottle(100, 90, 1000);
    expect(on.pausedUntil).toBe(1100);
    on.onThrottle(200, 190, 3_600_000);
    expect(on.pausedUntil).toBe(2200);
    // A shorter Retry-After never shortens a pause in force.
    on.onThrottle(300, 290, 10);
    expect(on.pausedUntil).toBe(2200);
    // No growth while paused.
    const rate = on.rate;
    on.advance(2000, true);
    expect(on.rate).toBe(rate);
  });

  it('keeps the rate finite and within [minRate, maxRate] whatever happens', () => {
    const event = fc.record({
      kind: fc.constantFrom('advance', 'served', 'throttle'),
      dt: fc.double({ min: 0, max: 5000, noNaN: true }),
      saturated: fc.boolean(),
      age: fc.double({ min: 0, max: 5000, noNaN: true }),
      retryAfterMs: fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.double({ min: 0.5, max: 5000, noNaN: true }),
        fc.double({ min: 0.1, max: 1000, noNaN: true }),
        fc.integer({ min: 0, max: 30_000 }),
        fc.array(event, { maxLength: 300 }),
        (maxRate, initialRate, maxPauseMs, events) => {
          const c = new AdaptiveRate({ maxRate, initialRate, maxPauseMs }, 0);
          const { minRate } = c.settings;
          let now = 0;
          for (const e of events) {
            now += e.dt;
            if (e.kind === 'advance') c.advance(now, e.saturated);
            else if (e.kind === 'served') c.onServed(now);
            else c.onThrottle(now, now - e.age, e.retryAfterMs);
            const { rate, estimate, pausedUntil } = c.state();
            expect(Number.isFinite(rate)).toBe(true);
            expect(rate).toBeLessThanOrEqual(maxRate);
            expect(rate).toBeGreaterThanOrEqual(Math.min(minRate, maxRate));
            if (estimate !== undefined) expect(estimate).toBeGreaterThan(0);
            expect(pausedUntil).toBeLessThanOrEqual(now + maxPauseMs);
          }
        },
      ),
    );
  });
});
