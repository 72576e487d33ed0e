import { type MeasurementSettings, RateMeasurement } from './rate-measurement.js';

/**
 * The pacing decision of the worker: how many QuickSight calls per second to allow, found without
 * knowing the API's real rate R. Pure: every method takes the current time; there is no clock and
 * no timer in here (the Pacer in ./call-pacing.ts turns the rate into waits).
 *
 * Signals: a call was served (any answer that used the server's capacity, incl. 404 and 5xx), or
 * throttled (ThrottlingException / 429). The server is modelled as a token bucket (rate R, burst
 * B), which is how QuickSight and the sandbox stand-in behave. Three phases:
 *
 * 1. slow-start: start at `initialRate` and double the rate every `slowStartDoublingMs` while the
 *    caller has demand for it, until the first throttle. A token bucket lets a burst of B calls
 *    through above R, so that first throttle arrives *after* the rate has overshot R (by 1.5–6×
 *    depending on B/R); the rate at that moment is no estimate of R.
 * 2. measure: the first throttle says the server's bucket is empty *now*; a RateMeasurement
 *    (./rate-measurement.ts) counts the calls served from then on while sending just above R,
 *    which estimates R free of the burst. After slow start it begins at `measureSlowStartCut` ×
 *    the overshoot. Throttles during the measurement are expected and change nothing. At its end
 *    the rate becomes `targetFraction` × the estimate (the multiplicative decrease).
 * 3. avoid (congestion avoidance): additive increase of `probeFractionPerSecond` × estimate per
 *    second (accelerating, see probeAccelerationMs) while there is demand, so the rate creeps
 *    over R again after a while. The server's bucket absorbs the small under-use meanwhile:
 *    nothing is wasted while it is not full. A throttle of a call started after the recovery
 *    time (recoveryTokens) starts a new measurement at the current rate. 429s of calls sent
 *    before it are the tail of the last episode, so one overshoot is measured once. A server
 *    whose R drops mid-run is followed the same way. If the rate climbs `restartAbove` ×
 *    estimate without a throttle, R has grown: slow start again.
 *
 * Retry-After is honoured per call by the retry loop (shared/retry.ts uses it as the floor of
 * the throttled call's next delay) and counts here as a throttle. With `maxPauseMs` > 0 it also
 * pauses every call until then; that is off by default because HTTP's Retry-After has whole
 * seconds (the sandbox answers "1" when its next token is 20 ms away), and pausing the whole
 * worker ~1 s per 429 idles the API (measured in the simulation: 1.8× ideal at R = 50).
 *
 * The rate always stays within [minRate, maxRate]; maxRate is the operator's IDSYNC_RATE.
 *
 * Memory across runs: a controller may be built with a `remembered` estimate, the last R an
 * earlier run measured on the same QuickSight account (`AccountPacers` in ../task-scopes.ts keeps it). When it
 * is younger than REMEMBERED_RATE_MAX_AGE_MS the controller skips slow start and begins in
 * avoid at `targetFraction` × that estimate (never above maxRate), as if it had just measured
 * it: a throttle then starts a measurement at once (an R that fell since is found within a
 * second or two) and a rate climbing past `restartAbove` × the estimate goes back to slow start
 * (an R that rose). An old one, or none, and it slow-starts. The remembered estimate is never
 * reported as measured here (`state().measuredAt` is only set by a measurement of this
 * controller), so only rates actually measured are remembered again.
 */

export type RatePhase = 'slow-start' | 'measure' | 'avoid';

/**
 * A remembered estimate is trusted for 48 hours. What the worker measures is the share of the
 * account's QuickSight rate left to it then, which other callers of the same account and quota
 * changes move over days; a stale estimate that is too high costs one throttle and a measurement
 * (~1 s, what slow start costs anyway), one that is too low costs the slow climb of the probe
 * (~16 s to reach restartAbove). 48 h covers runs a day apart (the worker Lambda, a daily apply)
 * with slack for the time of day; a weekly or monthly run slow-starts.
 */
export const REMEMBERED_RATE_MAX_AGE_MS = 48 * 60 * 60 * 1000;

/** An estimate of R measured earlier (calls per second), and when, in the controller's clock. */
export interface RememberedRate {
  readonly estimate: number;
  readonly at: number;
}

export interface AdaptiveRateSettings extends MeasurementSettings {
  /** Ceiling on calls per second (IDSYNC_RATE). Never exceeded. */
  readonly maxRate: number;
  /** First rate of slow start: 5/s, gentle on a slow API, and 50/s is reached in ~1.3 s. */
  readonly initialRate: number;
  /** Floor, so a run always makes progress: 0.2/s (one call every 5 s). */
  readonly minRate: number;
  /**
   * Slow-start growth: the rate doubles every this many ms of demand. 400 ms reaches R = 50
   * from 5/s in ~1.3 s (~40 calls of unused capacity, 2 % of an 18 s run) while keeping the
   * overshoot beyond R moderate (~2.7× with a burst of 20), which bounds the 429s of discovery.
   */
  readonly slowStartDoublingMs: number;
  /**
   * Rate after a measurement, as a share of the measured R: 0.95. The 5 % headroom refills the
   * server's bucket slowly (2.5 tokens/s at R = 50), so the next probe is ~10 s away and the
   * bucket never overflows on the way (no capacity lost); 0.9 loses ~1 % to overflow.
   */
  readonly targetFraction: number;
  /**
   * Additive increase in avoid, per second, as a share of the estimate: 1 %/s. From 0.95·R the
   * rate is back over R after ~4 s and the server's bucket is drained ~8 s after a decrease, so
   * a probe (2–3 429s) happens about every 8–10 s: < 1 % of calls throttled at any R.
   */
  readonly probeFractionPerSecond: number;
  /**
   * The probe speeds up the longer no throttle came: speed × (1 + time in avoid / this), 10 s.
   * A correct estimate is met again barely sooner; a low one (a measurement that read a clumpy
   * server, a rate that rose) is left behind in seconds instead of minutes.
   */
  readonly probeAccelerationMs: number;
  /**
   * Rate at the start of a measurement after slow start, as a share of the overshoot: 0.4. The
   * overshoot is 2–6× R, so this lands near R; when it lands below, the measurement raises it.
   * Not applied when slow start was pinned at maxRate (the overshoot is then maxRate / R).
   */
  readonly measureSlowStartCut: number;
  /**
   * Back to slow start when the rate exceeds this multiple of the estimate without a throttle:
   * 1.25. Lower values restart on the server's burst alone (a bucket of B calls hides an excess
   * of δ/s for B/δ seconds), and slow start then overshoots; higher ones follow a rising R late.
   */
  readonly restartAbove: number;
  /**
   * After a measurement, 429s of calls started before it ended are old news, and so are up to
   * this many of calls started within the time the server's bucket needs to bank as many
   * tokens at our headroom ((1 − targetFraction) × estimate): 2 (0.8 s at R = 50, at most
   * measureMaxMs). Right after a decrease the bucket is still empty and a call or two is
   * throttled: the tail of the episode just measured. More than that means R fell meanwhile.
   */
  readonly recoveryTokens: number;
  /** Longest pause of every call a Retry-After may impose; 0 (default): no global pause. */
  readonly maxPauseMs: number;
}

export const DEFAULT_RATE_SETTINGS: Omit<AdaptiveRateSettings, 'maxRate'> = {
  initialRate: 5,
  minRate: 0.2,
  slowStartDoublingMs: 400,
  targetFraction: 0.95,
  probeFractionPerSecond: 0.01,
  probeAccelerationMs: 10_000,
  measureSlowStartCut: 0.4,
  measureOverdrive: 1.2,
  measureSettleServed: 4,
  measureQuietServed: 20,
  measureRaise: 1.25,
  measureMinMs: 500,
  measureMinServed: 20,
  measureMaxMs: 3000,
  restartAbove: 1.25,
  recoveryTokens: 2,
  maxPauseMs: 0,
};

/** What the controller knows, for stats and logs. */
export interface RateState {
  readonly phase: RatePhase;
  /** Calls per second allowed now. */
  readonly rate: number;
  /** Last measured R (calls per second), once there is one (measured here or remembered). */
  readonly estimate?: number;
  /** When this controller last measured R (not set by a remembered estimate). */
  readonly measuredAt?: number;
  /** No call may start before this time (Retry-After, when maxPauseMs > 0). */
  readonly pausedUntil: number;
}

export class AdaptiveRate {
  readonly settings: AdaptiveRateSettings;
  private phaseNow: RatePhase = 'slow-start';
  private rateNow: number;
  private estimateNow?: number;
  private measuredAtNow?: number;
  private measurement?: RateMeasurement;
  /** When the last measurement ended (or began, while it runs). */
  private decreasedAt: number;
  /** Throttles of calls started before this time may be old news (see recoveryTokens). */
  private freshAfter: number;
  /** Throttles in the recovery time so far. */
  private recoveryThrottles = 0;
  /** When the current avoid phase began (the probe accelerates from there). */
  private avoidingSince: number;
  private lastAdvanceAt: number;
  private pausedUntilNow: number;

  /**
   * `remembered`: an estimate of R an earlier run measured (see the header); used when it is
   * younger than REMEMBERED_RATE_MAX_AGE_MS at `startAt`.
   */
  constructor(
    settings: Partial<AdaptiveRateSettings> & { maxRate: number },
    startAt: number,
    remembered?: RememberedRate,
  ) {
    this.settings = { ...DEFAULT_RATE_SETTINGS, ...settings };
    const s = this.settings;
    if (!(s.maxRate > 0)) throw new RangeError(`maxRate must be > 0, got ${s.maxRate}`);
    if (!(s.minRate > 0)) throw new RangeError(`minRate must be > 0, got ${s.minRate}`);
    this.rateNow = this.clamp(s.initialRate);
    this.decreasedAt = startAt;
    this.freshAfter = startAt;
    this.avoidingSince = startAt;
    this.lastAdvanceAt = startAt;
    this.pausedUntilNow = startAt;
    if (remembered && isRecallable(remembered, startAt)) {
      this.estimateNow = Math.max(s.minRate, remembered.estimate);
      this.rateNow = this.clamp(s.targetFraction * this.estimateNow);
      this.phaseNow = 'avoid';
    }
  }

  get rate(): number {
    return this.rateNow;
  }

  get pausedUntil(): number {
    return this.pausedUntilNow;
  }

  state(): RateState {
    return {
      phase: this.phaseNow,
      rate: this.rateNow,
      ...(this.estimateNow !== undefined ? { estimate: this.estimateNow } : {}),
      ...(this.measuredAtNow !== undefined ? { measuredAt: this.measuredAtNow } : {}),
      pausedUntil: this.pausedUntilNow,
    };
  }

  /**
   * Moves time forward to `now`. `saturated` says whether callers wanted more than the current
   * rate over that time: the rate only grows while it is what limits them.
   */
  advance(now: number, saturated: boolean): void {
    const dt = Math.max(0, now - this.lastAdvanceAt);
    this.lastAdvanceAt = Math.max(this.lastAdvanceAt, now);
    if (this.measurement && !saturated) this.measurement.demandFellShort(now);
    this.settle(now);
    if (this.measurement || !saturated || dt === 0 || now < this.pausedUntilNow) return;
    const s = this.settings;
    if (this.phaseNow === 'slow-start') {
      this.rateNow = this.clamp(this.rateNow * 2 ** (dt / s.slowStartDoublingMs));
      return;
    }
    const estimate = this.estimateNow ?? this.rateNow;
    const speedUp = 1 + Math.max(0, now - this.avoidingSince) / s.probeAccelerationMs;
    const perSecond = s.probeFractionPerSecond * estimate * speedUp;
    this.rateNow = this.clamp(this.rateNow + (perSecond * dt) / 1000);
    if (this.rateNow > s.restartAbove * estimate && this.rateNow < s.maxRate)
      this.phaseNow = 'slow-start';
  }

  /** A call was served (success, or an answer such as 404 or 5xx that used server capacity). */
  onServed(now: number): void {
    if (this.measurement) {
      this.measurement.onServed(now);
      this.rateNow = this.clamp(this.measurement.rate);
    }
    this.settle(now);
  }

  /**
   * A call was throttled. `startedAt` is when that call was let through (see recoveryTokens);
   * `retryAfterMs` the server's requested wait, if it named one.
   */
  onThrottle(now: number, startedAt: number = now, retryAfterMs?: number): void {
    const s = this.settings;
    if (retryAfterMs !== undefined && retryAfterMs > 0 && s.maxPauseMs > 0) {
      const until = now + Math.min(retryAfterMs, s.maxPauseMs);
      if (until > this.pausedUntilNow) {
        this.pausedUntilNow = until;
        this.measurement?.pausedUntil(now, until);
      }
    }
    if (this.measurement) {
      this.measurement.onThrottle(now, startedAt);
      this.settle(now);
      return;
    }
    if (startedAt < this.decreasedAt) return;
    if (startedAt < this.freshAfter && ++this.recoveryThrottles <= s.recoveryTokens) return;
    // Slow start overshoots R by the burst it did not see; pinned at maxRate it overshot less.
    const overshot = this.phaseNow === 'slow-start' && this.rateNow < s.maxRate;
    const cut = overshot ? s.measureSlowStartCut : 1;
    const measurement = new RateMeasurement(s, now, this.clamp(this.rateNow * cut), this.rateNow);
    if (this.pausedUntilNow > now) measurement.pausedUntil(now, this.pausedUntilNow);
    this.measurement = measurement;
    this.phaseNow = 'measure';
    this.rateNow = this.clamp(measurement.rate);
    this.decreasedAt = now;
    this.freshAfter = now;
  }

  /** Ends a measurement that is done: the multiplicative decrease to targetFraction × R. */
  private settle(now: number): void {
    const m = this.measurement;
    if (!m?.done(now)) return;
    const s = this.settings;
    const estimate = Math.max(s.minRate, m.estimate(now));
    this.estimateNow = estimate;
    this.measuredAtNow = now;
    this.rateNow = this.clamp(s.targetFraction * estimate);
    this.measurement = undefined;
    this.phaseNow = 'avoid';
    this.avoidingSince = now;
    const headroom = Math.max(1e-9, (1 - s.targetFraction) * estimate);
    this.decreasedAt = now;
    this.freshAfter = now + Math.min(s.measureMaxMs, (s.recoveryTokens * 1000) / headroom);
    this.recoveryThrottles = 0;
  }

  private clamp(rate: number): number {
    return Math.min(this.settings.maxRate, Math.max(this.settings.minRate, rate));
  }
}

/**
 * Whether a remembered estimate may set the start: a positive finite rate measured less than
 * REMEMBERED_RATE_MAX_AGE_MS before `now` (a time a little ahead of `now` is another machine's
 * clock, and counts as young).
 */
export function isRecallable(remembered: RememberedRate, now: number): boolean {
  return (
    Number.isFinite(remembered.estimate) &&
    remembered.estimate > 0 &&
    Number.isFinite(remembered.at) &&
    now - remembered.at < REMEMBERED_RATE_MAX_AGE_MS
  );
}
