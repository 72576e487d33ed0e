import { sleep as realSleep } from './retry.js';

/**
 * Spaces calls to an API whose limit is known and fixed (CloudTrail LookupEvents: 2 calls a
 * second per account and region): each call starts at least `1000 / rate` ms after the previous
 * one started. Unlike the adaptive Pacer (services/removals/worker/pacing/call-pacing.ts), which finds an unknown rate by probing
 * past it, this never sends faster than the limit, so a sequential caller is never throttled by
 * its own pace. Clock and timer are injectable.
 */
export class IntervalPacer {
  private nextAt = Number.NEGATIVE_INFINITY;
  /** Calls let through, and ms spent waiting. */
  readonly stats = { calls: 0, waitedMs: 0 };

  constructor(
    readonly rate: number,
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = realSleep,
  ) {
    if (!(rate > 0)) throw new RangeError('rate must be greater than 0');
  }

  /** Waits until the next call may start, and books that start. */
  async acquire(): Promise<void> {
    const wait = this.nextAt - this.now();
    if (wait > 0) {
      this.stats.waitedMs += wait;
      await this.sleep(wait);
    }
    this.nextAt = Math.max(this.now(), this.nextAt) + 1000 / this.rate;
    this.stats.calls++;
  }

  /**
   * Makes the first call wait one interval, as if a call had just started: a process that
   * resumes the work of one stopped a moment ago (SIGKILL, Lambda timeout) cannot know when that
   * one last called, and the API's limit counts both.
   */
  startQuiet(): this {
    this.backOff(1000 / this.rate);
    return this;
  }

  /** Pushes the next start out by `ms` (after a throttle: the API's own bucket is empty). */
  backOff(ms: number): void {
    this.nextAt = Math.max(this.nextAt, this.now() + ms);
  }
}
