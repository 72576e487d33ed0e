import type { Writable } from 'node:stream';

/**
 * Progress of a long command as one line redrawn in place on stderr, on a terminal only: off a
 * terminal it writes nothing (pipes, CI and log files keep the result and the logs alone). The
 * line is cleared when the work ends, so the result prints on a clean line.
 */
export class LineProgress {
  private last = Number.NEGATIVE_INFINITY;
  private shown = false;

  constructor(
    private readonly stream: Writable & { isTTY?: boolean },
    private readonly intervalMs = 250,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Redraws the line (at most every `intervalMs`). `text` may be a function that makes it: it
   * is called only when the line is drawn (off a terminal never; the first number formatted with
   * `toLocaleString` loads ICU's data, about 40 ms).
   */
  update(text: string | (() => string)): void {
    if (this.stream.isTTY !== true) return;
    const t = this.now();
    if (t - this.last < this.intervalMs) return;
    this.last = t;
    this.stream.write(`\r\u001b[2K${typeof text === 'function' ? text() : text}`);
    this.shown = true;
  }

  /** Clears the line. */
  done(): void {
    if (this.shown) this.stream.write('\r\u001b[2K');
    this.shown = false;
  }
}

const n = (v: number) => v.toLocaleString('en-US');

/** Pages and rows read so far, per source, e.g. for the snapshot's three listings. */
export type PageCounts = Readonly<
  Record<string, { readonly pages: number; readonly rows: number }>
>;

/** `snapshot: google 12 pages (2,208), idc 23 pages (2,213)` (pure). */
export function pagesText(what: string, counts: PageCounts, unit = ''): string {
  const parts = Object.entries(counts).map(
    ([name, c]) =>
      `${name} ${n(c.pages)} page${c.pages === 1 ? '' : 's'} (${n(c.rows)}${unit ? ` ${unit}` : ''})`,
  );
  return `${what}: ${parts.length > 0 ? parts.join(', ') : 'starting…'}`;
}

/** Keeps running page counts per source and redraws them on each page. */
export function pageCounter(
  progress: Pick<LineProgress, 'update'>,
  what: string,
  unit = '',
): (source: string, rows: number) => void {
  const counts: Record<string, { pages: number; rows: number }> = {};
  return (source, rows) => {
    const c = counts[source] ?? { pages: 0, rows: 0 };
    counts[source] = { pages: c.pages + 1, rows: c.rows + rows };
    progress.update(() => pagesText(what, counts, unit));
  };
}
