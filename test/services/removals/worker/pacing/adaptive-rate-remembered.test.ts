import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AdaptiveRate,
  DEFAULT_RATE_SETTINGS,
  REMEMBERED_RATE_MAX_AGE_MS,
} from '../../../../../services/removals/worker/pacing/adaptive-rate.js';
import { Pacer } from '../../../../../services/removals/worker/pacing/call-pacing.js';
import { measureAt } from './measure-at.js';
import { VirtualClock } from './virtual-clock.js';

/**
 * The controller's start from a rate an earlier run measured (adaptive-rate.ts, "Memory across
 * runs"): in avoid at targetFraction × the estimate when it is young enough, else slow start.
 */

const START = 1_000_000;
const { targetFraction, initialRate, restartAbove } = DEFAULT_RATE_SETTINGS;

describe('AdaptiveRate from a remembered estimate', () => {
  it('none remembered: slow start at the initial rate, as always', () => {
    const c = new AdaptiveRate({ maxRate: 1000 }, START);
    expect(c.state()).toEqual({ phase: 'slow-start', rate: initialRate, pausedUntil: START });
  });

  it('starts in avoid at targetFraction × an estimate just younger than the bound', () => {
    const at = START - REMEMBERED_RATE_MAX_AGE_MS + 1;
    const c = new AdaptiveRate({ maxRate: 1000 }, START, { estimate: 40, at });
    expect(c.state()).toEqual({
      phase: 'avoid',
      rate: targetFraction * 40,
      estimate: 40,
      pausedUntil: START,
    });
    // Remembered is not measured: nothing for the next run to remember again.
    expect(c.state().measuredAt).toBeUndefined();
  });

  it('slow-starts when the estimate is as old as the bound or older, or is no rate', () => {
    for (const remembered of [
      { estimate: 40, at: START - REMEMBERED_RATE_MAX_AGE_MS },
      { estimate: 40, at: START - 10 * REMEMBERED_RATE_MAX_AGE_MS },
      { estimate: 0, at: START },
      { estimate: -5, at: START },
      { estimate: Number.NaN, at: START },
      { estimate: 40, at: Number.NaN },
    ]) {
      const c = new AdaptiveRate({ maxRate: 1000 }, START, remembered);
      expect(c.state(), JSON.stringify(remembered)).toEqual({
        phase: 'slow-start',
        rate: initialRate,
        pausedUntil: START,
      });
    }
  });

  it('never starts above the ceiling (IDSYNC_RATE); the estimate is kept', () => {
    const c = new AdaptiveRate({ maxRate: 30 }, START, { estimate: 200, at: START - 1000 });
    expect(c.state()).toMatchObject({ phase: 'avoid', rate: 30, estimate: 200 });
    // Pinned at the ceiling, far below restartAbove × 200: stays in avoid at the ceiling.
    c.advance(START + 60_000, true);
    expect(c.state()).toMatchObject({ phase: 'avoid', rate: 30 });
  });

  it('a throttle in the first second starts a measurement that finds the lower R of today', () => {
    const c = new AdaptiveRate({ maxRate: 1000 }, START, { estimate: 40, at: START - 3600_000 });
    c.advance(START + 300, true);
    c.onThrottle(START + 300, START + 290);
    expect(c.state().phase).toBe('measure');
    // The server now serves 20/s: the measurement reads it, and the rate follows.
    const end = measureAt(c, START + 300, 20, 5);
    expect(end - START).toBeLessThan(3500);
    const state = c.state();
    expect(state.phase).toBe('avoid');
    expect(state.estimate).toBeGreaterThan(18);
    expect(state.estimate).toBeLessThan(22);
    expect(state.measuredAt).toBe(end);
  });

  it('goes back to slow start when the rate climbs past restartAbove × the estimate (R rose)', () => {
    const c = new AdaptiveRate({ maxRate: 1000 }, START, { estimate: 20, at: START - 1000 });
    let t = START;
    while (c.state().phase === 'avoid' && t < START + 60_000) {
      t += 100;
      c.advance(t, true);
    }
    expect(c.state().phase).toBe('slow-start');
    expect(c.rate).toBeGreaterThan(restartAbove * 20 * 0.99);
  });

  it('any young estimate starts avoid at targetFraction × it within [minRate, maxRate]; any old one slow-starts', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 1e6, noNaN: true }),
        fc.double({ min: 1, max: 1000, noNaN: true }),
        fc.integer({ min: -60_000, max: 3 * REMEMBERED_RATE_MAX_AGE_MS }),
        (estimate, maxRate, ageMs) => {
          const c = new AdaptiveRate({ maxRate }, START, { estimate, at: START - ageMs });
          const { phase, rate } = c.state();
          if (ageMs >= REMEMBERED_RATE_MAX_AGE_MS) {
            expect(phase).toBe('slow-start');
            expect(rate).toBe(Math.min(maxRate, initialRate));
            return;
          }
          expect(phase).toBe('avoid');
          const expected = Math.min(
            maxRate,
            Math.max(DEFAULT_RATE_SETTINGS.minRate, targetFraction * Math.max(0.2, estimate)),
          );
          expect(rate).toBeCloseTo(expected, 9);
        },
      ),
    );
  });
});

describe('Pacer with a remembered pace', () => {
  it('places the remembered epoch time in its own clock, and reports what it measures in epoch ms', async () => {
    const clock = new VirtualClock();
    const wall = 1_800_000_000_000;
    const wallNow = () => wall + clock.now();
    const young = new Pacer({
      maxRate: 1000,
      now: clock.now,
      sleep: clock.sleep,
      wallNow,
      remembered: { estimate: 50, at: wall - REMEMBERED_RATE_MAX_AGE_MS + 1000 },
    });
    expect(young.stats()).toMatchObject({ phase: 'avoid', rate: targetFraction * 50 });
    expect(young.stats().measuredAt).toBeUndefined();
    const old = new Pacer({
      maxRate: 1000,
      now: clock.now,
      sleep: clock.sleep,
      wallNow,
      remembered: { estimate: 50, at: wall - REMEMBERED_RATE_MAX_AGE_MS - 1000 },
    });
    expect(old.stats()).toMatchObject({ phase: 'slow-start', rate: initialRate });

    // A throttle starts a measurement; served calls end it, at a time reported in epoch ms.
    await clock.run(young.acquire());
    young.onThrottle(undefined, 0);
    expect(young.stats().phase).toBe('measure');
    for (let i = 0; young.stats().phase === 'measure' && i < 500; i++) {
      await clock.run(young.acquire());
      young.onSuccess();
    }
    const { phase, measuredAt } = young.stats();
    expect(phase).toBe('avoid');
    expect(measuredAt).toBe(Math.round(wall + clock.now()));
  });
});
