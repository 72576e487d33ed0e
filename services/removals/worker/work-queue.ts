import fastq from 'fastq';

/**
 * The worker's queue: fastq runs at most `concurrency` jobs at once; a job that must wait (a
 * retry's backoff) waits on a timer OFF the queue, so waiting never takes a slot from a job that
 * could call QuickSight. `settled()` resolves once nothing runs, waits in the queue or on a timer.
 */
export class WorkQueue<J> {
  private readonly queue: fastq.queueAsPromised<J, void>;
  private readonly timers = new Map<J, ReturnType<typeof setTimeout>>();
  private wakers: Array<() => void> = [];

  constructor(
    run: (job: J) => Promise<void>,
    concurrency: number,
    private readonly onError: (error: unknown) => void,
  ) {
    this.queue = fastq.promise(run, Math.max(1, concurrency));
  }

  get concurrency(): number {
    return this.queue.concurrency;
  }

  /** Jobs waiting for a free slot. */
  get backlog(): number {
    return this.queue.length();
  }

  /** Queues a job; its end (after fastq counts it done, so `idle()` holds) wakes waiters. */
  push(job: J): void {
    this.queue
      .push(job)
      .catch(this.onError)
      .finally(() => this.wake());
  }

  /** Queues `job` after `delayMs`. */
  later(job: J, delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(job);
      this.push(job);
    }, delayMs);
    this.timers.set(job, timer);
  }

  /** Queues every job waiting on a timer now (a graceful stop hands them back at once). */
  hurry(): void {
    for (const [job, timer] of this.timers) {
      clearTimeout(timer);
      this.push(job);
    }
    this.timers.clear();
    this.wake();
  }

  /** Resolves when nothing runs, waits for a slot or waits on a timer. */
  async settled(): Promise<void> {
    while (!(this.queue.idle() && this.timers.size === 0)) await this.changed();
  }

  /** Resolves at the next job's end (or `wake()`). */
  changed(): Promise<void> {
    return new Promise((resolve) => this.wakers.push(resolve));
  }

  wake(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const resolve of wakers) resolve();
  }
}
