import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LineProgress, pageCounter, pagesText } from '../../../services/cli/line-progress.js';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk, _enc, done) {
        chunks.push(String(chunk));
        done();
      },
    }),
    { isTTY },
  );
  return { stream, chunks };
}

describe('LineProgress', () => {
  it('redraws one line in place on a terminal, at most once per interval, and clears it', () => {
    const { stream, chunks } = sink(true);
    let now = 0;
    const line = new LineProgress(stream, 250, () => now);
    line.update('a');
    now = 100;
    line.update('b');
    now = 300;
    line.update('c');
    line.done();
    expect(chunks).toEqual(['\r\u001b[2Ka', '\r\u001b[2Kc', '\r\u001b[2K']);
  });

  it('writes nothing off a terminal', () => {
    const { stream, chunks } = sink(false);
    const line = new LineProgress(stream, 0);
    line.update('a');
    line.done();
    expect(chunks).toEqual([]);
  });

  it('makes the text of a line only when it draws it (off a terminal never)', () => {
    let made = 0;
    const text = () => `line ${++made}`;
    new LineProgress(sink(false).stream, 0).update(text);
    expect(made).toBe(0);
    const { stream, chunks } = sink(true);
    let now = 0;
    const line = new LineProgress(stream, 250, () => now);
    line.update(text);
    now = 100;
    line.update(text);
    expect(made).toBe(1);
    expect(chunks).toEqual(['\r\u001b[2Kline 1']);
  });
});

describe('page counts', () => {
  it('says pages and rows per source', () => {
    expect(pagesText('snapshot', {}, 'rows')).toBe('snapshot: starting…');
    expect(
      pagesText(
        'snapshot',
        { google: { pages: 1, rows: 200 }, idc: { pages: 12, rows: 1200 } },
        'rows',
      ),
    ).toBe('snapshot: google 1 page (200 rows), idc 12 pages (1,200 rows)');
  });

  it('adds each page to its source', () => {
    const shown: string[] = [];
    const count = pageCounter(
      { update: (t) => shown.push(typeof t === 'function' ? t() : t) },
      'activity sync',
      'events',
    );
    count('us-east-1', 50);
    count('eu-west-1', 10);
    count('us-east-1', 7);
    expect(shown.at(-1)).toBe(
      'activity sync: us-east-1 2 pages (57 events), eu-west-1 1 page (10 events)',
    );
  });
});
