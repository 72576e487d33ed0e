import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_SETTINGS } from '../../../../../services/removals/worker/pacing/adaptive-rate.js';
import { RateMeasurement } from '../../../../../services/removals/worker/pacing/rate-measurement.js';

const settings = DEFAULT_RATE_SETTINGS;

describe('RateMeasurement', () => {
  it('estimates R as calls served per second since the anchoring throttle', () => {
    const m = new RateMeasurement(settings, 1000, 60, 60);
    // R = 50/s: a call served every 20 ms, one in six throttled.
    let t = 1000;
    for (let i = 1; !m.done(t); i++) {
      t = 1000 + i * 20;
      if (i % 6 === 0) m.onThrottle(t, t - 15);
      m.onServed(t);
    }
    expect(t - 1000).toBeGreaterThanOrEqual(settings.measureMinMs);
    expect(m.estimate(t)).toBeCloseTo(50, 6);
  });

  it('steers its rate to overdrive × the running estimate once settled, never above the ceiling', () => {
    const m = new RateMeasurement(settings, 0, 100, 100);
    expect(m.rate).toBe(100);
    for (let i = 1; i < settings.measureSettleServed; i++) m.onServed(i * 25);
    expect(m.rate).toBe(100);
    m.onServed(settings.measureSettleServed * 25); // 40/s so far
    expect(m.rate).toBeCloseTo(40 * settings.measureOverdrive, 6);
    expect(new RateMeasurement(settings, 0, 300, 120).rate).toBe(120);
  });

  it('raises a quiet measurement and counts again only from the next fresh throttle', () => {
    const m = new RateMeasurement(settings, 0, 20, 100);
    const quiet = settings.measureQuietServed;
    for (let i = 1; i <= quiet; i++) m.onServed(i * 25);
    const raisedAt = quiet * 25;
    expect(m.rate).toBeCloseTo(20 * settings.measureRaise, 6);
    // A 429 of a call sent before the raise does not anchor; one sent after does.
    m.onThrottle(raisedAt + 5, raisedAt - 100);
    for (let i = 1; i <= 5; i++) m.onServed(raisedAt + 5 + i * 25);
    const anchor = raisedAt + 200;
    m.onThrottle(anchor, anchor - 2);
    let t = anchor;
    for (let i = 1; i <= 30; i++) {
      t = anchor + i * 30;
      if (i % 5 === 0) m.onThrottle(t, t - 10);
      m.onServed(t);
    }
    expect(m.done(t)).toBe(true);
    expect(m.estimate(t)).toBeCloseTo(1000 / 30, 6);
  });

  it('keeps counting through a short pause and restarts after a long one', () => {
    const short = new RateMeasurement(settings, 0, 50, 50);
    short.pausedUntil(100, 120);
    short.onServed(130);
    expect(short.estimate(settings.measureMinMs)).toBeGreaterThan(0);
    expect(short.estimate(settings.measureMinMs)).toBeLessThan(5);
    const long = new RateMeasurement(settings, 0, 50, 50);
    long.onServed(50);
    long.pausedUntil(100, 1100);
    long.onThrottle(1110, 1000); // sent before the pause ended: no anchor
    long.onServed(1200);
    expect(long.done(1000 + settings.measureMaxMs)).toBe(false);
    long.onThrottle(1300, 1290);
    long.onServed(1320);
    expect(long.done(1300 + settings.measureMaxMs)).toBe(true);
  });

  it('neither counts nor raises while the callers, not the server, are the limit', () => {
    const m = new RateMeasurement(settings, 0, 20, 100);
    for (let i = 1; i <= 3 * settings.measureQuietServed; i++) {
      m.demandFellShort(i * 50);
      m.onServed(i * 50);
    }
    expect(m.rate).toBe(20);
    expect(m.done(3 * settings.measureQuietServed * 50)).toBe(false);
    // Demand is back and the server throttles again: a fresh count from that throttle.
    const anchor = 4000;
    m.onThrottle(anchor, anchor - 10);
    let t = anchor;
    for (let i = 1; !m.done(t); i++) {
      t = anchor + i * 40;
      if (i % 5 === 0) m.onThrottle(t, t - 10);
      m.onServed(t);
    }
    expect(m.estimate(t)).toBeCloseTo(25, 6);
  });

  it('gives up quiet at its ceiling, reporting the rate the server served without complaint', () => {
    const m = new RateMeasurement(settings, 0, 30, 30);
    const count = 2 * settings.measureQuietServed;
    for (let i = 1; i <= count; i++) m.onServed(i * 34);
    const t = count * 34;
    expect(m.done(t)).toBe(true);
    expect(m.estimate(t)).toBeGreaterThan(25);
    expect(m.estimate(t)).toBeLessThanOrEqual(30);
  });

  it('ends after 2 × measureMaxMs even if it never anchors again', () => {
    const m = new RateMeasurement(settings, 0, 10, 100);
    for (let i = 0; i < settings.measureQuietServed; i++) m.onServed(i);
    expect(m.done(2 * settings.measureMaxMs - 1)).toBe(false);
    expect(m.done(2 * settings.measureMaxMs)).toBe(true);
    expect(m.estimate(2 * settings.measureMaxMs)).toBeGreaterThan(0);
  });
});
