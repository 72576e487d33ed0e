/**
 * Measures a token-bucket API's sustainable rate R from its answers (pure; time is passed in).
 *
 * A throttle says the server's bucket is empty at that moment (the anchor). From then on, while
 * we keep sending a little faster than R, the bucket stays empty and the server serves exactly R
 * calls per second (± one token), so served calls / time since the anchor estimates R with no
 * bias from the bucket's burst. The measurement steers its own sending rate to keep that true:
 *
 * - it never sends faster than `ceiling` (the rate that was throttled);
 * - once `measureSettleServed` calls were served since the anchor, it sends at
 *   `measureOverdrive` × the running estimate: just above R, so few calls are throttled while
 *   the bucket stays empty;
 * - after `measureQuietServed` served calls in a row without a throttle it is probably below R
 *   (the bucket is filling, and the count would read our own rate): it raises the rate by
 *   `measureRaise` and re-anchors at the next throttle. The same after a long Retry-After pause,
 *   or when the callers, not the server, were the limit for a moment.
 *
 * Done after `measureMinMs` and `measureMinServed` served calls since the anchor, or
 * `measureMaxMs` since it; or when it gives up (2 × measureMaxMs in all, or quiet at the
 * ceiling), reporting the rate it sent at if the server served it quietly (with demand to
 * spare: a lower bound of R), else what the server served per second over the measurement.
 */

/** Tunables of a measurement; AdaptiveRateSettings carries them, with these defaults. */
export interface MeasurementSettings {
  /**
   * Sending rate as a multiple of the running estimate: 1.2. Must stay above 1 so the server's
   * bucket stays empty (else the count reads our own rate); 20 % covers the noise of an
   * estimate from a handful of calls. 1.1 throttles less per measurement but mistakes jitter
   * for quiet more often (measured: more 429s overall at R = 200).
   */
  readonly measureOverdrive: number;
  /**
   * Served calls since the anchor before the running estimate steers the rate: 4. Fewer is
   * noisier; more keeps the post-slow-start overshoot (2–6× R) running longer (more 429s).
   */
  readonly measureSettleServed: number;
  /**
   * Served calls in a row without a throttle that mean "below R": 20. At the overdrive of 1.2 a
   * throttle is expected every ~5 served calls; 4× that gap rarely happens by chance (a false
   * alarm costs a 25 % raise and a longer measurement, nothing worse).
   */
  readonly measureQuietServed: number;
  /** Factor the rate grows by when quiet: 1.25 (doubles in 3 steps of 20 calls). */
  readonly measureRaise: number;
  /** Shortest counting window: 500 ms, several round trips even at high latency. */
  readonly measureMinMs: number;
  /** Fewest served calls in the window: 20, so ±1 token of error is ≤ 5 %. */
  readonly measureMinServed: number;
  /** Longest window: 3 s, so a slow API (R < 7/s) is measured with fewer calls. */
  readonly measureMaxMs: number;
}

export class RateMeasurement {
  private readonly began: number;
  /** Start of the counting window (a throttle), or undefined while waiting for one. */
  private anchoredAt?: number;
  /** Calls started before this time cannot anchor (they predate a raise or a pause). */
  private anchorAfter: number;
  private served = 0;
  /** Served calls since the measurement began, anchored or not. */
  private servedInAll = 0;
  private quiet = 0;
  private rateNow: number;

  /** Begins at `now`, the throttle that anchors it; sends at `startRate`, never above `ceiling`. */
  constructor(
    private readonly settings: MeasurementSettings,
    now: number,
    startRate: number,
    private readonly ceiling: number,
  ) {
    this.began = now;
    this.anchoredAt = now;
    this.anchorAfter = now;
    this.rateNow = Math.min(startRate, ceiling);
  }

  /** The rate the measurement wants to send at now. */
  get rate(): number {
    return this.rateNow;
  }

  onServed(now: number): void {
    const s = this.settings;
    this.quiet++;
    this.servedInAll++;
    if (this.quiet >= s.measureQuietServed && this.rateNow < this.ceiling) {
      this.rateNow = Math.min(this.ceiling, this.rateNow * s.measureRaise);
      this.quiet = 0;
      this.reanchor(now);
      return;
    }
    if (this.anchoredAt === undefined) return;
    this.served++;
    if (this.served >= s.measureSettleServed)
      this.rateNow = Math.min(this.rateNow, s.measureOverdrive * this.running(now));
  }

  /** A throttle of a call started at `startedAt`. */
  onThrottle(now: number, startedAt: number): void {
    this.quiet = 0;
    if (this.anchoredAt === undefined && startedAt >= this.anchorAfter) {
      this.anchoredAt = now;
      this.served = 0;
    }
  }

  /**
   * The callers wanted fewer calls than the measurement's rate (workers busy elsewhere, e.g.
   * waiting out a Retry-After): the server's bucket may be filling and the count would read
   * the callers' pace, so it restarts at the next throttle of a call started from now on.
   */
  demandFellShort(now: number): void {
    this.quiet = 0;
    if (this.anchoredAt !== undefined) this.reanchor(now);
  }

  /**
   * No call starts before `until` (Retry-After). The server banks the tokens of the pause and
   * serves them afterwards, so a short pause leaves the count true; a pause worth more than two
   * calls may overflow a small bucket (tokens lost, R read low), so the count restarts.
   */
  pausedUntil(now: number, until: number): void {
    if (((until - now) * this.rateNow) / 1000 > 2) this.reanchor(until);
  }

  done(now: number): boolean {
    const s = this.settings;
    if (now - this.began >= 2 * s.measureMaxMs) return true;
    if (this.rateNow >= this.ceiling && this.quiet >= 2 * s.measureQuietServed) return true;
    if (this.anchoredAt === undefined) return false;
    const elapsed = now - this.anchoredAt;
    return (
      elapsed >= s.measureMaxMs || (elapsed >= s.measureMinMs && this.served >= s.measureMinServed)
    );
  }

  /**
   * R as measured: served per second since the anchor. Without a long enough window: the rate
   * the callers sent at if the server served it quietly (a lower bound of R), else what it
   * served per second since the measurement began (0 if nothing).
   */
  estimate(now: number): number {
    const s = this.settings;
    const a = this.anchoredAt;
    if (a !== undefined && now - a >= s.measureMinMs / 2 && this.served > 0)
      return this.running(now);
    if (this.quiet >= s.measureQuietServed) return this.rateNow;
    return (this.servedInAll * 1000) / Math.max(1, now - this.began);
  }

  private running(now: number): number {
    return (this.served * 1000) / Math.max(1, now - (this.anchoredAt ?? now));
  }

  private reanchor(after: number): void {
    this.anchoredAt = undefined;
    this.anchorAfter = Math.max(this.anchorAfter, after);
    this.served = 0;
  }
}
