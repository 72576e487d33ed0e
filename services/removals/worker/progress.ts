import cliProgress from 'cli-progress';
import type { Logger } from '../../../shared/logger.js';
import type { ProgressSnapshot } from './worker-tally.js';

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
