import type { AdaptiveRate } from '../../../../../services/removals/worker/pacing/adaptive-rate.js';

/**
 * Plays a saturated token-bucket server at `rate`/s (bucket empty, so one call in
 * `throttleEvery` is throttled) to a measuring controller until the measurement ends; returns
 * the time it ended.
 */
export function measureAt(
  c: AdaptiveRate,
  from: number,
  rate: number,
  throttleEvery: number,
): number {
  const step = 1000 / rate;
  let t = from;
  for (let i = 1; c.state().phase === 'measure'; i++) {
    if (i > rate * 60) throw new Error('the measurement never ended');
    t = from + i * step;
    c.advance(t, true);
    if (i % throttleEvery === 0) c.onThrottle(t, t - 10);
    c.onServed(t);
  }
  return t;
}
