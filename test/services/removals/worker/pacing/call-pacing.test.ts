import { describe, expect, it } from 'vitest';
import {
  Pacer,
  type PacerOptions,
} from '../../../../../services/removals/worker/pacing/call-pacing.js';
import { VirtualClock } from './virtual-clock.js';

function virtualPacer(options: Omit<PacerOptions, 'now' | 'sleep'>) {
  const clock = new VirtualClock();
  const pacer = new Pacer({ ...options, now: clock.now, sleep: clock.sleep });
  return { clock, pacer };
}

/** Acquires `count` permits at once and returns their start times, in resolution order. */
async function acquireAll(clock: VirtualClock, pacer: Pacer, count: number) {
  const order: number[] = [];
  const times: number[] = [];
  const all = Array.from({ length: count }, (_, i) =>
    pacer.acquire().then((t) => {
      order.push(i);
      times.push(t);
    }),
  );
  await clock.run(Promise.all(all));
  return { order, times };
}

describe('Pacer', () => {
  it('lets callers through first come, first served, spaced at the current rate', async () => {
    // Starting in slow start at the ceiling of 20/s: a call every 50 ms after a tiny burst.
    const { clock, pacer } = virtualPacer({ maxRate: 20, initialRate: 20 });
    const { order, times } = await acquireAll(clock, pacer, 41);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(times[0]).toBe(0);
    const last = times[times.length - 1] ?? 0;
    expect(last).toBeGreaterThanOrEqual(1950);
    expect(last).toBeLessThanOrEqual(2000);
    for (let i = 2; i < times.length; i++)
      expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(49.9);
    expect(pacer.stats()).toMatchObject({ calls: 41, waiting: 0, phase: 'slow-start' });
  });

  it('never lets more than maxRate (+ its one-call burst) through in any second', async () => {
    const { clock, pacer } = virtualPacer({ maxRate: 30, initialRate: 30 });
    const { times } = await acquireAll(clock, pacer, 200);
    let first = 0;
    for (let i = 0; i < times.length; i++) {
      while ((times[first] ?? 0) <= (times[i] ?? 0) - 1000) first++;
      expect(i - first + 1).toBeLessThanOrEqual(31);
    }
  });

  it('grows the rate in slow start only while callers wait for it', async () => {
    const idle = virtualPacer({ maxRate: 1000, initialRate: 10 });
    // One caller at a time, 200 ms apart: 5/s of demand under a 10/s allowance.
    const run = async () => {
      for (let i = 0; i < 20; i++) {
        await idle.pacer.acquire();
        await idle.clock.sleep(200);
      }
    };
    await idle.clock.run(run());
    expect(idle.pacer.stats().rate).toBe(10);
    const busy = virtualPacer({ maxRate: 1000, initialRate: 10 });
    await acquireAll(busy.clock, busy.pacer, 40);
    expect(busy.pacer.stats().rate).toBeGreaterThan(20);
  });

  it('honours Retry-After with a global pause when maxPauseMs allows it', async () => {
    const { clock, pacer } = virtualPacer({ maxRate: 100, initialRate: 100, maxPauseMs: 5000 });
    const first = await clock.run(pacer.acquire());
    clock.schedule(10, () => pacer.onThrottle(1500, first));
    await clock.run(clock.sleep(20));
    const { times } = await acquireAll(clock, pacer, 3);
    expect(times[0]).toBeGreaterThanOrEqual(1510);
    expect(pacer.stats()).toMatchObject({ throttled: 1, paused: false });
  });

  it('without a global pause, a Retry-After only counts as a throttle', async () => {
    const { clock, pacer } = virtualPacer({ maxRate: 100, initialRate: 100 });
    const first = await clock.run(pacer.acquire());
    pacer.onThrottle(1500, first);
    expect(pacer.stats().paused).toBe(false);
    const { times } = await acquireAll(clock, pacer, 3);
    expect(times[2]).toBeLessThan(100);
  });

  it('attributes a throttle reported without its start time to the oldest unreported call', async () => {
    const { clock, pacer } = virtualPacer({ maxRate: 10, initialRate: 10 });
    const seen: number[] = [];
    const onThrottle = pacer.controller.onThrottle.bind(pacer.controller);
    pacer.controller.onThrottle = (now, startedAt, retryAfterMs) => {
      seen.push(startedAt ?? Number.NaN);
      onThrottle(now, startedAt, retryAfterMs);
    };
    const { times } = await acquireAll(clock, pacer, 3);
    expect(times).toEqual([0, 100, 200]);
    await clock.run(clock.sleep(300));
    pacer.onThrottle();
    pacer.onSuccess();
    pacer.onThrottle(undefined, 42);
    expect(seen).toEqual([0, 42]);
  });

  it('counts outcomes and reports the controller state', async () => {
    const { clock, pacer } = virtualPacer({ maxRate: 50 });
    const startedAt = await clock.run(pacer.acquire());
    pacer.onSuccess();
    pacer.onError();
    pacer.onThrottle(undefined, startedAt);
    const stats = pacer.stats();
    expect(stats).toMatchObject({ calls: 1, succeeded: 1, errors: 1, throttled: 1 });
    expect(stats.phase).toBe('measure');
    expect(stats.rate).toBeGreaterThan(0);
  });

  it('works on real timers by default', async () => {
    const pacer = new Pacer({ maxRate: 1000, initialRate: 200 });
    const started = performance.now();
    for (let i = 0; i < 5; i++) await pacer.acquire();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(pacer.stats().calls).toBe(5);
  });
});
