import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  BarProgress,
  createProgressReporter,
  formatDuration,
  JsonProgress,
} from '../../../services/worker/progress.js';
import { emptyCounts, progressSnapshot } from '../../../services/worker/worker-tally.js';
import { createLogger } from '../../../shared/logger.js';
import { sleep } from '../../../shared/retry.js';

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
    await sleep(75);
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
