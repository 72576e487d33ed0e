/**
 * Virtual time for deterministic pacing tests: `sleep` schedules a timer on a heap and `run`
 * fires timers in time order (ties in scheduling order), letting every promise continuation
 * settle before time moves on. No real timer is involved, so a 200 s simulation takes well
 * under a second of real time.
 */

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fire: () => void;
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class VirtualClock {
  private time = 0;
  private seq = 0;
  private readonly heap: Timer[] = [];

  readonly now = (): number => this.time;

  readonly sleep = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => this.schedule(this.time + Math.max(0, ms), resolve));

  /** Calls `fire` at virtual time `at` (or now, if `at` is past). */
  schedule(at: number, fire: () => void): void {
    this.push({ at: Math.max(at, this.time), seq: this.seq++, fire });
  }

  /**
   * Runs timers until `done` settles and returns its value. Throws if nothing is scheduled while
   * `done` is still pending (a deadlock), or when virtual time passes `limitMs`.
   */
  async run<T>(done: Promise<T>, limitMs = Number.POSITIVE_INFINITY): Promise<T> {
    let settled = false;
    done.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    for (;;) {
      await settle();
      if (settled) return done;
      const first = this.pop();
      if (!first) throw new Error(`virtual clock: deadlock at ${this.time} ms`);
      if (first.at > limitMs) throw new Error(`virtual clock: time limit ${limitMs} ms passed`);
      this.time = first.at;
      first.fire();
      // Fire everything due at the same instant before letting continuations run.
      while (this.heap.length > 0 && (this.heap[0] as Timer).at === this.time) this.pop()?.fire();
    }
  }

  private push(timer: Timer): void {
    const h = this.heap;
    h.push(timer);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i] as Timer, h[parent] as Timer)) break;
      [h[i], h[parent]] = [h[parent] as Timer, h[i] as Timer];
      i = parent;
    }
  }

  private pop(): Timer | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || !last) return top;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l] as Timer, h[m] as Timer)) m = l;
      if (r < h.length && before(h[r] as Timer, h[m] as Timer)) m = r;
      if (m === i) return top;
      [h[i], h[m]] = [h[m] as Timer, h[i] as Timer];
      i = m;
    }
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
