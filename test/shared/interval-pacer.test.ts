import { describe, expect, it } from 'vitest';
import { IntervalPacer } from '../../shared/interval-pacer.js';

function virtual() {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe('IntervalPacer', () => {
  it('starts calls no closer than 1/rate apart, and never waits when the caller is slower', async () => {
    const clock = virtual();
    const pacer = new IntervalPacer(2, clock.now, clock.sleep);
    const starts: number[] = [];
    for (let i = 0; i < 5; i++) {
      await pacer.acquire();
      starts.push(clock.now());
    }
    expect(starts).toEqual([0, 500, 1000, 1500, 2000]);
    clock.advance(2_000);
    const before = pacer.stats.waitedMs;
    await pacer.acquire();
    expect(pacer.stats.waitedMs).toBe(before);
  });

  it('backs off after a throttle', async () => {
    const clock = virtual();
    const pacer = new IntervalPacer(2, clock.now, clock.sleep);
    await pacer.acquire();
    pacer.backOff(1_000);
    await pacer.acquire();
    expect(clock.now()).toBe(1_000);
    expect(() => new IntervalPacer(0)).toThrow(RangeError);
  });

  it('with a quiet start, waits one interval before the first call too', async () => {
    const clock = virtual();
    const pacer = new IntervalPacer(2, clock.now, clock.sleep).startQuiet();
    await pacer.acquire();
    expect(clock.now()).toBe(500);
    await pacer.acquire();
    expect(clock.now()).toBe(1_000);
  });
});
