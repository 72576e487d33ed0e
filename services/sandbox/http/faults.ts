import { TokenBucket } from './token-bucket.js';

/**
 * Fault injection for a sandbox stand-in, configurable at start and changeable at run time.
 * Each stand-in asks `decide()` per request and renders the answer in its own wire shape
 * (QuickSight 429 ThrottlingException, IdC `__type`, Google 403 quotaExceeded, …).
 */
export interface FaultSettings {
  /** Server-side token bucket on every call; unset means unlimited. */
  readonly bucket?: { readonly rate: number; readonly burst: number };
  /** Share (0..1) of calls answered with a throttling error regardless of the bucket. */
  readonly throttleRate?: number;
  /** Share (0..1) of calls answered with a retryable server error (5xx). */
  readonly errorRate?: number;
  /** Share (0..1) of calls whose connection is reset without an answer. */
  readonly resetRate?: number;
  /** Added latency per call, in ms. */
  readonly latencyMs?: number;
  /**
   * Fail page N (1-based) of every listing with a server error; `times` bounds how often
   * (default: every time, i.e. persistently).
   */
  readonly failPage?: { readonly page: number; readonly times?: number };
}

export type FaultAction =
  | { readonly kind: 'none' }
  | { readonly kind: 'throttle'; readonly retryAfterSeconds?: number }
  | { readonly kind: 'error' }
  | { readonly kind: 'reset' };

export interface FaultCounters {
  calls: number;
  throttled: number;
  errors: number;
  resets: number;
}

export class Faults {
  private settings: FaultSettings;
  private bucket?: TokenBucket;
  private failPageUses = 0;
  readonly counters: FaultCounters = { calls: 0, throttled: 0, errors: 0, resets: 0 };

  constructor(
    settings: FaultSettings = {},
    private readonly random: () => number = Math.random,
    private readonly now?: () => number,
  ) {
    this.settings = {};
    this.configure(settings);
  }

  /** Replaces the settings (run-time change). The bucket keeps its fill when only its rate changes. */
  configure(settings: FaultSettings): void {
    this.settings = { ...settings };
    this.failPageUses = 0;
    if (!settings.bucket) this.bucket = undefined;
    else if (this.bucket) this.bucket.configure(settings.bucket.rate, settings.bucket.burst);
    else this.bucket = new TokenBucket(settings.bucket.rate, settings.bucket.burst, this.now);
  }

  get current(): FaultSettings {
    return this.settings;
  }

  get latencyMs(): number {
    return this.settings.latencyMs ?? 0;
  }

  /** Decides the fate of one call. `page` is the 1-based page number of a listing call. */
  decide(page?: number): FaultAction {
    this.counters.calls++;
    const s = this.settings;
    if (s.resetRate && this.random() < s.resetRate) {
      this.counters.resets++;
      return { kind: 'reset' };
    }
    if (this.bucket && !this.bucket.tryTake()) {
      this.counters.throttled++;
      return { kind: 'throttle', retryAfterSeconds: this.bucket.secondsUntilToken() };
    }
    if (s.throttleRate && this.random() < s.throttleRate) {
      this.counters.throttled++;
      return { kind: 'throttle' };
    }
    if (
      s.failPage &&
      page === s.failPage.page &&
      this.failPageUses < (s.failPage.times ?? Infinity)
    ) {
      this.failPageUses++;
      this.counters.errors++;
      return { kind: 'error' };
    }
    if (s.errorRate && this.random() < s.errorRate) {
      this.counters.errors++;
      return { kind: 'error' };
    }
    return { kind: 'none' };
  }
}
