import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RATE_SETTINGS,
  REMEMBERED_RATE_MAX_AGE_MS,
} from '../../../../services/removals/worker/pacing/adaptive-rate.js';
import type { Pacer } from '../../../../services/removals/worker/pacing/call-pacing.js';
import { AccountPacers } from '../../../../services/removals/worker/task-scopes.js';
import type { MeasuredPace } from '../../../../shared/dynamo/guard-table-store.js';
import type { Logger } from '../../../../shared/logger.js';
import { VirtualClock } from './pacing/virtual-clock.js';

/**
 * The worker's pacers per QuickSight account with their remembered pace (`AccountPacers`, task-scopes.ts),
 * over an in-memory pace memory: what is read, what is written, and that a failing memory never
 * fails a run.
 */

const NOW = 1_800_000_000_000;
const HOME = '111111111111';
const OTHER = '222222222222';

function memory(stored: Record<string, MeasuredPace> = {}, fail?: 'recall' | 'remember') {
  const writes: Array<[string, MeasuredPace]> = [];
  return {
    writes,
    recall: async (accountId: string) => {
      if (fail === 'recall') throw new Error('ProvisionedThroughputExceededException');
      return stored[accountId];
    },
    remember: async (accountId: string, pace: MeasuredPace) => {
      if (fail === 'remember') throw new Error('AccessDeniedException');
      writes.push([accountId, pace]);
      return true;
    },
  };
}

function logs() {
  const lines: Array<{ level: string; msg: string; fields: object }> = [];
  const logger = {
    info: (fields: object, msg: string) => lines.push({ level: 'info', msg, fields }),
    warn: (fields: object, msg: string) => lines.push({ level: 'warn', msg, fields }),
  } as unknown as Pick<Logger, 'info' | 'warn'>;
  return Object.assign(logger, { lines });
}

describe('AccountPacers', () => {
  it('each account starts from its own young remembered pace; an old one or none slow-starts', async () => {
    const m = memory({
      [HOME]: { estimate: 40, measuredAt: NOW - 60_000 },
      [OTHER]: { estimate: 40, measuredAt: NOW - REMEMBERED_RATE_MAX_AGE_MS },
    });
    const log = logs();
    const pacers = new AccountPacers(m, 1000, log, () => NOW);
    await pacers.recall([HOME, OTHER, '333333333333']);
    expect(pacers.of(HOME).stats()).toMatchObject({
      phase: 'avoid',
      rate: DEFAULT_RATE_SETTINGS.targetFraction * 40,
    });
    expect(pacers.of(OTHER).stats()).toMatchObject({ phase: 'slow-start', rate: 5 });
    expect(pacers.of('333333333333').stats().phase).toBe('slow-start');
    expect(pacers.of(HOME)).toBe(pacers.of(HOME));
    expect(log.lines.map((l) => [l.msg, l.fields])).toEqual([
      [
        'pacer starts from the remembered QuickSight pace',
        { accountId: HOME, estimate: 40, ageMs: 60_000, rate: 38, phase: 'avoid' },
      ],
    ]);
  });

  it('the remembered pace never lifts the start above the ceiling (IDSYNC_RATE)', async () => {
    const m = memory({ [HOME]: { estimate: 400, measuredAt: NOW - 1000 } });
    const pacers = new AccountPacers(m, 25, logs(), () => NOW);
    await pacers.recall([HOME]);
    expect(pacers.of(HOME).stats()).toMatchObject({ phase: 'avoid', rate: 25 });
  });

  it('a memory that cannot be read is a warning, and the pacer slow-starts', async () => {
    const log = logs();
    const pacers = new AccountPacers(memory({}, 'recall'), 1000, log, () => NOW);
    await expect(pacers.recall([HOME])).resolves.toBeUndefined();
    expect(pacers.of(HOME).stats()).toMatchObject({ phase: 'slow-start', rate: 5 });
    expect(log.lines).toEqual([
      expect.objectContaining({
        level: 'warn',
        msg: 'could not read the remembered QuickSight pace; the pacer slow-starts',
      }),
    ]);
  });

  it('remembers only a measured estimate, once per measurement; a remembered one is not written back', async () => {
    const m = memory({ [HOME]: { estimate: 40, measuredAt: NOW - 60_000 } });
    const pacers = new AccountPacers(m, 1000, logs(), () => NOW);
    await pacers.recall([HOME]);
    pacers.of(HOME);
    pacers.of(OTHER); // slow start only: says nothing about R
    await pacers.remember();
    expect(m.writes).toEqual([]);
  });

  it('writes the estimate it measured with its epoch time, once per measurement', async () => {
    const m = memory();
    const clock = new VirtualClock();
    const pacers = new AccountPacers(m, 1000, logs(), () => NOW + clock.now(), {
      now: clock.now,
      sleep: clock.sleep,
    });
    await pacers.recall([HOME]);
    const pacer = pacers.of(HOME);
    await measure(clock, pacer);
    const { estimate, measuredAt } = pacer.stats();
    expect(measuredAt).toBe(NOW + clock.now());
    await pacers.remember();
    await pacers.remember();
    expect(m.writes).toEqual([[HOME, { estimate, measuredAt }]]);
  });

  it('a memory that cannot be written is a warning, never a failure', async () => {
    const log = logs();
    const clock = new VirtualClock();
    const pacers = new AccountPacers(memory({}, 'remember'), 1000, log, () => NOW, {
      now: clock.now,
      sleep: clock.sleep,
    });
    await pacers.recall([HOME]);
    await measure(clock, pacers.of(HOME));
    await expect(pacers.remember()).resolves.toBeUndefined();
    expect(log.lines.at(-1)).toMatchObject({
      level: 'warn',
      msg: 'could not remember the QuickSight pace',
    });
  });
});

/** A throttle, then a saturated server answering 4 calls of 5 until the measurement ends. */
async function measure(clock: VirtualClock, pacer: Pacer): Promise<void> {
  await clock.run(pacer.acquire());
  pacer.onThrottle(undefined);
  for (let i = 1; pacer.stats().phase === 'measure'; i++) {
    if (i > 10_000) throw new Error('the measurement never ended');
    const startedAt = await clock.run(pacer.acquire());
    if (i % 5 === 0) pacer.onThrottle(undefined, startedAt);
    else pacer.onSuccess();
  }
  expect(pacer.stats().measuredAt).toBeDefined();
}
