import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import {
  BarProgress,
  createProgressReporter,
  emptyCounts,
  formatDuration,
  JsonProgress,
  progressSnapshot,
} from '../../../../services/removals/worker/progress.js';
import { createLogger } from '../../../../shared/logger.js';
import { sleep } from '../../../../shared/retry.js';

const snapshot = (done: number, total = 200) =>
  progressSnapshot({ ...emptyCounts(), total, deleted: done, throttledCalls: 3 }, 5_000, 20, 48.2);

function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = { write: (line: string) => lines.push(JSON.parse(line)) };
  return { logger: createLogger({ destination, level: 'info' }), lines };
}

describe('progress reporters', () => {
  it('JSON: a `worker progress` record every interval, and a final one', async () => {
    const { logger, lines } = captureLogger();
    const reporter = new JsonProgress(logger, 20);
    let done = 0;
    reporter.start(() => {
      done += 10;
      return snapshot(done);
    });
    // Two interval records, however late a loaded machine fires the timer.
    await vi.waitFor(() => expect(lines.length).toBeGreaterThanOrEqual(2), {
      timeout: 10_000,
      interval: 5,
    });
    reporter.stop(snapshot(200));
    const progress = lines.map((l) => l.progress as Record<string, number>);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.at(-1)?.msg).toBe('worker progress (final)');
    expect(progress.at(-1)).toMatchObject({ done: 200, total: 200, throttled: 3, pacerRate: 48.2 });
    expect(progress[0]).toMatchObject({ done: 10, ratePerSecond: 20, etaSeconds: 10 });
    const count = lines.length;
    await sleep(40);
    expect(lines.length).toBe(count);
  });

  it('bar: done/total, rate, ETA and throttles drawn to the stream', async () => {
    const stream = new PassThrough();
    let out = '';
    stream.on('data', (c: Buffer) => {
      out += c.toString('utf8');
    });
    const reporter = new BarProgress({ stream, fps: 50, forceOutput: true });
    reporter.start(() => snapshot(50));
    await sleep(50);
    reporter.stop(snapshot(200, 200));
    expect(out).toContain('50/200');
    expect(out).toContain('200/200');
    expect(out).toContain('20.0/s');
    expect(out).toContain('ETA 8s');
    expect(out).toContain('throttled 3');
  });

  it('bar: no bar drawn while the total is unknown (never a full bar at 0/0)', async () => {
    const stream = new PassThrough();
    let out = '';
    stream.on('data', (c: Buffer) => {
      out += c.toString('utf8');
    });
    let total = 0;
    const reporter = new BarProgress({ stream, fps: 50, forceOutput: true });
    reporter.start(() => snapshot(0, total));
    await sleep(60);
    expect(out).not.toContain('0/0');
    total = 40;
    await sleep(1_100); // off a terminal the bar redraws once a second
    reporter.stop(snapshot(40, 40));
    expect(out).not.toContain('0/0');
    expect(out).toContain('0/40');
    expect(out).toContain('40/40');
  });

  it('counts down a wait for leased tasks: in the bar line, or as JSON `waiting` records', async () => {
    const stream = new PassThrough();
    let out = '';
    stream.on('data', (c: Buffer) => {
      out += c.toString('utf8');
    });
    const bar = new BarProgress({ stream, fps: 50, forceOutput: true });
    bar.start(() => snapshot(50));
    bar.waiting({ tasks: 3, leftMs: 14_200 });
    await sleep(1_100); // off a terminal the bar redraws once a second
    bar.stop(snapshot(200, 200));
    expect(out).toContain('waiting for 3 tasks leased by another worker: 14s left');

    const { logger, lines } = captureLogger();
    const json = new JsonProgress(logger, 20);
    json.waiting({ tasks: 1, leftMs: 4_100 });
    json.waiting({ tasks: 1, leftMs: 4_000 }); // within the interval: not repeated
    json.waiting({ tasks: 0, leftMs: 0 }); // the wait is over: nothing to say
    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'waiting for 1 task leased by another worker: 4s left',
        waiting: { tasks: 1, secondsLeft: 5 },
      }),
    ]);
  });

  it('chooses the bar on a terminal and JSON records otherwise', () => {
    const { logger } = captureLogger();
    expect(createProgressReporter({ tty: true, logger, stream: new PassThrough() })).toBeInstanceOf(
      BarProgress,
    );
    expect(createProgressReporter({ tty: false, logger })).toBeInstanceOf(JsonProgress);
  });

  it('formats durations for people', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(42_400)).toBe('42s');
    expect(formatDuration(185_000)).toBe('3m05s');
    expect(formatDuration(3_720_000)).toBe('1h02m');
  });
});
