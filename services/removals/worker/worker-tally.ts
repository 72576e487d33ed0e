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
