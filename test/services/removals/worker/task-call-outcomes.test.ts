import { describe, expect, it } from 'vitest';
import {
  blockTask,
  deferTask,
  recordFinalState,
  recordOutcome,
} from '../../../../services/removals/worker/task-call.js';
import type { Task } from '../../../../shared/task.js';
import { SAMPLE_TASK } from './fixtures/sample-task.js';

const task: Task = {
  ...SAMPLE_TASK,
  updatedAt: '2026-03-01T00:05:00.000Z',
  attempts: 1,
  execRunId: 'apply-1',
  execAt: '2026-03-01T00:04:00.000Z',
};

/** Ports that log every write in order; `rowExists` makes appendOnce answer 'exists'. */
function recordingPorts(opts: { rowExists?: boolean; leaseLost?: boolean } = {}) {
  const writes: string[] = [];
  const rows: Array<{ outcome?: string; runId: string; sk?: string; reason?: string }> = [];
  const infos: string[] = [];
  const deps = {
    audit: {
      append: async (records: Array<{ outcome?: string; runId: string; reason?: string }>) => {
        writes.push('append');
        rows.push(...records);
        return [];
      },
      appendOnce: async (
        record: { outcome?: string; runId: string },
        key: { runId: string; sk: string },
      ) => {
        writes.push('appendOnce');
        if (opts.rowExists) return 'exists' as const;
        rows.push({ ...record, runId: key.runId, sk: key.sk });
        return 'written' as const;
      },
    },
    tasks: {
      complete: async (_id: string, _owner: string, outcome: string) => {
        writes.push(`complete:${outcome}`);
        return !opts.leaseLost;
      },
      fail: async (_id: string, _owner: string, error: string) => {
        writes.push(`fail:${error}`);
        return !opts.leaseLost;
      },
      block: async () => {
        writes.push('block');
        return true;
      },
      defer: async (_id: string, _owner: string, attempts: number) => {
        writes.push(`defer:${attempts}`);
        return true;
      },
    },
    logger: { info: (_o: unknown, msg: string) => infos.push(msg) },
  };
  // The ports' full types are wider than what the task's end uses; this test drives only those calls.
  return { deps: deps as never, writes, rows, infos };
}

const options = { owner: 'host:1:apply-2', runId: 'apply-2' };
const at = '2026-03-01T00:06:00.000Z';

describe('ending a task', () => {
  it('writes a final outcome under the execution key, before the final state', async () => {
    const p = recordingPorts();
    const ending = { task, attempts: 2 };
    await recordOutcome(p.deps, options, ending, 'deleted', {}, at);
    expect(await recordFinalState(p.deps, options, ending, 'deleted', {})).toBe(true);
    expect(p.writes).toEqual(['appendOnce', 'complete:deleted']);
    // The key is the execution's (apply-1), not this run's: a rerun after a kill finds it.
    expect(p.rows).toEqual([expect.objectContaining({ outcome: 'deleted', runId: 'apply-1' })]);
  });

  it('adds no second row when an earlier run wrote the execution row, and still completes', async () => {
    const p = recordingPorts({ rowExists: true });
    const ending = { task, attempts: 2 };
    await recordOutcome(p.deps, options, ending, 'already_gone', {}, at);
    await recordFinalState(p.deps, options, ending, 'already_gone', {});
    expect(p.rows).toEqual([]);
    expect(p.writes).toEqual(['appendOnce', 'complete:already_gone']);
    expect(p.infos).toEqual(['outcome row already written by an earlier run']);
  });

  it('appends a failed outcome (each failure its own row) and fails the task', async () => {
    const p = recordingPorts({ leaseLost: true });
    const ending = { task, attempts: 3 };
    await recordOutcome(p.deps, options, ending, 'failed', { error: 'AccessDenied' }, at);
    expect(
      await recordFinalState(p.deps, options, ending, 'failed', { error: 'AccessDenied' }),
    ).toBe(false);
    expect(p.writes).toEqual(['append', 'fail:AccessDenied']);
    expect(p.rows).toEqual([expect.objectContaining({ outcome: 'failed', runId: 'apply-2' })]);
  });

  it('defers a task it cannot judge now: the row saying why, then PENDING again, attempts kept', async () => {
    const p = recordingPorts();
    const why =
      'the activity record ends at 2026-03-01T00:00:00.000Z, older than IDSYNC_ACTIVITY_MAX_LAG_HOURS=2: run idsync activity sync';
    await deferTask(p.deps, options, { task, attempts: 1 }, why, at);
    expect(p.writes).toEqual(['append', 'defer:1']);
    expect(p.rows).toEqual([
      expect.objectContaining({ outcome: 'deferred', reason: why, runId: 'apply-2' }),
    ]);
  });

  it('keeps a refused task BLOCKED, then records why', async () => {
    const p = recordingPorts();
    await blockTask(p.deps, options, { task, attempts: 0 }, 'guard window: 10 of 10 used', at);
    expect(p.writes).toEqual(['block', 'append']);
    expect(p.rows).toEqual([
      expect.objectContaining({ outcome: 'blocked', reason: 'guard window: 10 of 10 used' }),
    ]);
  });
});
