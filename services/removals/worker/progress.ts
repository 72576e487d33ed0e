import cliProgress from 'cli-progress';
import type { Logger } from '../../../shared/logger.js';

/**
 * A worker run's tally and how it is shown: the counts of outcomes, the progress view and the
 * end-of-run summary (pure), and the reporter that shows progress on a terminal or as log records.
 */

/**
 * How a worker run shows its progress: a bar on a terminal (done / total, rate, ETA, throttles),
 * periodic JSON progress records otherwise (CloudWatch, CI). The worker hands the reporter a
 * function that reads the current snapshot; the reporter decides how often to look.
 */
export interface ProgressReporter {
  start(read: () => ProgressSnapshot): void;
  stop(final: ProgressSnapshot): void;
  /** The run waits for `tasks` leased by another worker, at most `leftMs` more (countdown); 0 tasks: the wait is over. */
  waiting?(wait: LeaseWait): void;
}

export interface LeaseWait {
  readonly tasks: number;
  readonly leftMs: number;
}

/** The countdown line of a wait for leased tasks. */
export function waitingText(w: LeaseWait): string {
  return `waiting for ${w.tasks} task${w.tasks === 1 ? '' : 's'} leased by another worker: ${formatDuration(w.leftMs)} left`;
}

/** No output (tests, benchmarks). */
export const silentProgress: ProgressReporter = { start() {}, stop() {} };

/** The fields of a progress record, rounded for people. */
export function progressFields(s: ProgressSnapshot) {
  return {
    done: s.done,
    total: s.total,
    deleted: s.counts.deleted,
    alreadyGone: s.counts.alreadyGone,
    failed: s.counts.failed,
    cancelled: s.counts.cancelled,
    skipped: s.counts.skipped,
    calls: s.counts.calls,
    throttled: s.counts.throttledCalls,
    ratePerSecond: round1(s.ratePerSecond),
    elapsedSeconds: round1(s.elapsedMs / 1000),
    ...(s.etaMs !== undefined ? { etaSeconds: Math.ceil(s.etaMs / 1000) } : {}),
    ...(s.pacerRate !== undefined ? { pacerRate: round1(s.pacerRate) } : {}),
  };
}

/** One `worker progress` log record every `intervalMs` (5 s), and one at the end. */
export class JsonProgress implements ProgressReporter {
  private timer?: ReturnType<typeof setInterval>;

  constructor(
    private readonly logger: Pick<Logger, 'info'>,
    private readonly intervalMs = 5_000,
  ) {}

  start(read: () => ProgressSnapshot): void {
    this.timer = setInterval(
      () => this.logger.info({ progress: progressFields(read()) }, 'worker progress'),
      this.intervalMs,
    );
    this.timer.unref();
  }

  stop(final: ProgressSnapshot): void {
    clearInterval(this.timer);
    this.logger.info({ progress: progressFields(final) }, 'worker progress (final)');
  }

  private lastWaitLog = 0;

  /** One `waiting for leased tasks` record per `intervalMs` at most, with the seconds left. */
  waiting(w: LeaseWait): void {
    const now = Date.now();
    if (w.tasks === 0) return;
    if (now - this.lastWaitLog < Math.min(this.intervalMs, 5_000)) return;
    this.lastWaitLog = now;
    this.logger.info(
      { waiting: { tasks: w.tasks, secondsLeft: Math.ceil(w.leftMs / 1000) } },
      waitingText(w),
    );
  }
}

export interface BarProgressOptions {
  /** Where the bar is drawn: stderr by default. */
  readonly stream?: NodeJS.WritableStream;
  /** Redraws per second: 4. */
  readonly fps?: number;
  /** Draw even when the stream is not a terminal (tests). */
  readonly forceOutput?: boolean;
}

const BAR_FORMAT =
  'deleting {bar} {value}/{total} | {rate}/s | ETA {left} | throttled {throttled} | failed {failed}{note}';

/** A cli-progress bar redrawn a few times a second. */
export class BarProgress implements ProgressReporter {
  private readonly bar: cliProgress.SingleBar;
  private timer?: ReturnType<typeof setInterval>;

  constructor(private readonly options: BarProgressOptions = {}) {
    this.bar = new cliProgress.SingleBar(
      {
        format: BAR_FORMAT,
        ...(options.stream ? { stream: options.stream } : {}),
        hideCursor: true,
        noTTYOutput: options.forceOutput ?? false,
        notTTYSchedule: 1_000,
        barsize: 30,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  private started = false;

  start(read: () => ProgressSnapshot): void {
    this.draw(read());
    this.timer = setInterval(() => this.draw(read()), 1000 / (this.options.fps ?? 4));
    this.timer.unref();
  }

  stop(final: ProgressSnapshot): void {
    clearInterval(this.timer);
    this.note = '';
    this.draw(final);
    if (this.started) this.bar.stop();
  }

  private note = '';

  /** Shows the countdown in the bar's line. */
  waiting(w: LeaseWait): void {
    this.note = w.tasks === 0 ? '' : ` | ${waitingText(w)}`;
  }

  /** No bar before the total is known: a full bar at "0/0" would say the work is done. */
  private draw(s: ProgressSnapshot): void {
    if (!this.started) {
      if (s.total === 0) return;
      this.bar.start(s.total, s.done, { ...payload(s), note: this.note });
      this.started = true;
      return;
    }
    if (s.total !== this.bar.getTotal()) this.bar.setTotal(s.total);
    this.bar.update(s.done, { ...payload(s), note: this.note });
  }
}

function payload(s: ProgressSnapshot) {
  return {
    rate: s.ratePerSecond.toFixed(1),
    left: s.etaMs === undefined ? '--' : formatDuration(s.etaMs),
    throttled: s.counts.throttledCalls,
    failed: s.counts.failed,
  };
}

/** `42s`, `3m05s`, `1h02m`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  if (total < 60) return `${total}s`;
  const minutes = Math.floor(total / 60);
  if (minutes < 60) return `${minutes}m${String(total % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

export interface ProgressChoice {
  /** Whether the output is a terminal (the CLI passes `process.stderr.isTTY`). */
  readonly tty: boolean;
  readonly logger: Pick<Logger, 'info'>;
  readonly stream?: NodeJS.WritableStream;
  readonly intervalMs?: number;
}

/** A bar on a terminal, JSON progress records otherwise. */
export function createProgressReporter(choice: ProgressChoice): ProgressReporter {
  return choice.tty
    ? new BarProgress(choice.stream ? { stream: choice.stream } : {})
    : new JsonProgress(choice.logger, choice.intervalMs);
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/**
 * The worker's bookkeeping, pure: running counts, the progress view (rate over a recent window,
 * ETA), the end-of-run summary and the audit row of an outcome.
 */

export interface WorkerCounts {
  /** Tasks this run took on (claimable when listed). */
  total: number;
  deleted: number;
  /** Role changes made (`change_role` tasks, UpdateUser). */
  roleChanged: number;
  alreadyGone: number;
  failed: number;
  /** Vetoed before the call (e.g. the person re-joined): CANCELLED. */
  cancelled: number;
  /** Refused by the cross-run guard window before the call: BLOCKED, kept for a release. */
  blocked: number;
  /** Not claimable any more when their turn came (cancelled, done or taken by another worker). */
  skipped: number;
  /** Given back as PENDING on a graceful stop. */
  released: number;
  /**
   * Given back as PENDING unrun because they could not be judged now (an idle task whose
   * activity record is stale): they wait for a later run, after `idsync activity sync`.
   */
  deferred: number;
  /** Calls made for tasks: QuickSight calls, and the Google calls counted in googleCalls. */
  calls: number;
  throttledCalls: number;
  /** 5xx and other failed calls (throttles excluded). */
  errorCalls: number;
  /** At the end: tasks of the scope still PENDING (or on an expired lease). */
  leftPending: number;
  /** At the end: tasks of the scope held by a worker under a live lease. */
  leftLeased: number;
  /** `leave_group` tasks done: the person taken out of a Google group (Directory API). */
  leftGroup: number;
  /** Of `calls`, those made to the Google Directory (`leave_group` tasks); the rest are QuickSight's. */
  googleCalls: number;
}

export function emptyCounts(): WorkerCounts {
  return {
    total: 0,
    deleted: 0,
    roleChanged: 0,
    alreadyGone: 0,
    failed: 0,
    cancelled: 0,
    blocked: 0,
    skipped: 0,
    released: 0,
    deferred: 0,
    calls: 0,
    throttledCalls: 0,
    errorCalls: 0,
    leftPending: 0,
    leftLeased: 0,
    leftGroup: 0,
    googleCalls: 0,
  };
}

/** Tasks settled one way or another (the progress bar's value). */
export function settledCount(c: WorkerCounts): number {
  return (
    c.deleted +
    c.roleChanged +
    c.alreadyGone +
    c.failed +
    c.cancelled +
    c.blocked +
    c.skipped +
    c.released +
    c.deferred +
    c.leftGroup
  );
}

export interface WorkerSummary extends Readonly<WorkerCounts> {
  readonly elapsedMs: number;
  /** Users removed (deleted or already gone) per second of the run. */
  readonly effectiveRate: number;
  /** The run was stopped (signal) before it ran out of tasks. */
  readonly stopped: boolean;
  /** Time spent waiting for tasks leased by another worker. */
  readonly waitedMs: number;
  /** Epoch ms when the last lease still held at the end runs out (rerun after it). */
  readonly leaseFreeAt?: number;
  /** Why the first deferred task was deferred (every one has its audit row). */
  readonly deferReason?: string;
}

export function summarize(
  counts: WorkerCounts,
  elapsedMs: number,
  stopped: boolean,
  waits: {
    readonly waitedMs?: number;
    readonly leaseFreeAt?: number;
    readonly deferReason?: string;
  } = {},
): WorkerSummary {
  const removed = counts.deleted + counts.alreadyGone;
  return {
    ...counts,
    elapsedMs,
    effectiveRate: elapsedMs > 0 ? (removed * 1000) / elapsedMs : 0,
    stopped,
    waitedMs: waits.waitedMs ?? 0,
    ...(waits.leaseFreeAt !== undefined ? { leaseFreeAt: waits.leaseFreeAt } : {}),
    ...(waits.deferReason !== undefined ? { deferReason: waits.deferReason } : {}),
  };
}

export interface ProgressSnapshot {
  readonly total: number;
  readonly done: number;
  readonly counts: Readonly<WorkerCounts>;
  readonly elapsedMs: number;
  /** Tasks settled per second over the recent window. */
  readonly ratePerSecond: number;
  /** Time left at that rate; undefined before there is a rate. */
  readonly etaMs?: number;
  /** The pacer's allowed calls per second. */
  readonly pacerRate?: number;
}

/** Settled counts over time, for a rate over the last `windowMs` (10 s). */
export class RateWindow {
  private readonly samples: { t: number; done: number }[] = [];

  constructor(private readonly windowMs = 10_000) {}

  /** Records `done` at time `t` and returns the rate (per second) over the window. */
  rate(t: number, done: number): number {
    this.samples.push({ t, done });
    while (this.samples.length > 2 && (this.samples[1]?.t ?? t) <= t - this.windowMs)
      this.samples.shift();
    const first = this.samples[0] as { t: number; done: number };
    const span = t - first.t;
    return span > 0 ? ((done - first.done) * 1000) / span : 0;
  }
}

export function progressSnapshot(
  counts: Readonly<WorkerCounts>,
  elapsedMs: number,
  ratePerSecond: number,
  pacerRate?: number,
): ProgressSnapshot {
  const done = settledCount(counts);
  const left = Math.max(0, counts.total - done);
  return {
    total: counts.total,
    done,
    counts: { ...counts },
    elapsedMs,
    ratePerSecond,
    ...(ratePerSecond > 0 ? { etaMs: (left * 1000) / ratePerSecond } : {}),
    ...(pacerRate !== undefined ? { pacerRate } : {}),
  };
}
