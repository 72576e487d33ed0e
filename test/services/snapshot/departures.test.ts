import { describe, expect, it } from 'vitest';
import { laterDepartures } from '../../../services/snapshot/departures.js';
import { createLogger } from '../../../shared/logger.js';

/** idsync's logger writing its JSON records into `lines`. */
function recordingLog() {
  const lines: Array<{ level: number; msg: string; gone?: number; error?: unknown }> = [];
  const logger = createLogger({
    destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
  });
  return Object.assign(logger, { lines });
}

describe('laterDepartures', () => {
  it('marks once, when first asked, with few marks in flight, and logs how many', async () => {
    const calls: number[] = [];
    const log = recordingLog();
    const departures = laterDepartures(async (inFlight) => {
      calls.push(inFlight);
      return ['u-1', 'u-2'];
    }, log);
    await departures.settled(); // nothing started: resolves without marking
    expect(calls).toEqual([]);
    const first = departures.mark();
    expect(departures.mark()).toBe(first);
    expect(await first).toEqual(['u-1', 'u-2']);
    expect(calls).toEqual([4]);
    expect(log.lines).toMatchObject([
      { level: 30, msg: 'IdC users the snapshot did not show marked gone', gone: 2 },
    ]);
  });

  it('a failed marking resolves to undefined and is logged as an error: it never rejects', async () => {
    const log = recordingLog();
    const departures = laterDepartures(async () => {
      throw new Error('DynamoDB went away');
    }, log);
    await expect(departures.mark()).resolves.toBeUndefined();
    await expect(departures.settled()).resolves.toBeUndefined();
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]?.level).toBe(50);
    expect(log.lines[0]?.msg).toMatch(/the next snapshot marks them/);
    expect(JSON.stringify(log.lines[0]?.error)).toContain('DynamoDB went away');
  });

  it('settled() waits for a marking in flight', async () => {
    let finish: (ids: string[]) => void = () => undefined;
    const departures = laterDepartures(
      () => new Promise<string[]>((resolve) => (finish = resolve)),
      recordingLog(),
    );
    void departures.mark();
    let settled = false;
    const waiting = departures.settled().then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    finish(['u-1']);
    await waiting;
    expect(settled).toBe(true);
  });
});
