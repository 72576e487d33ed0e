import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  coveredAfter,
  DAY_MS,
  nextWindow,
  oldestReadable,
} from '../../../services/activity/sync-windows.js';

const NOW = Date.parse('2026-11-30T12:00:00.500Z');
const iso = (ms: number) => new Date(ms).toISOString();
const LAG = 15 * 60_000;

describe('nextWindow', () => {
  it('first run: N days back to now − lag, on whole seconds', () => {
    const plan = nextWindow(undefined, NOW, 30);
    expect(plan.covered).toBeUndefined();
    expect(plan.window).toMatchObject({
      kind: 'backfill',
      from: '2026-10-31T12:00:00.000Z',
      to: '2026-11-30T11:45:00.000Z',
      pages: 0,
      events: 0,
    });
  });

  it('never asks for more than LookupEvents keeps', () => {
    const plan = nextWindow(undefined, NOW, 90);
    expect(Date.parse(plan.window?.from ?? '')).toBe(oldestReadable(NOW));
    expect(Date.parse(plan.window?.from ?? '')).toBeGreaterThan(NOW - 90 * DAY_MS);
  });

  it('catches up from the end of the coverage, then backfills what --days adds, then is done', () => {
    const covered = { from: iso(NOW - 30 * DAY_MS), to: iso(NOW - DAY_MS) };
    const catchUp = nextWindow(covered, NOW, 60);
    expect(catchUp.window).toMatchObject({ kind: 'catch-up', from: covered.to });
    const afterCatchUp = coveredAfter(covered, catchUp.window as never);
    const backfill = nextWindow(afterCatchUp, NOW, 60);
    expect(backfill.window).toMatchObject({ kind: 'backfill', to: covered.from });
    const full = coveredAfter(afterCatchUp, backfill.window as never);
    expect(nextWindow(full, NOW, 60)).toEqual({ covered: full });
    expect(nextWindow(full, NOW, 10)).toEqual({ covered: full });
  });

  it('drops coverage that ends before the readable history (the gap cannot be read)', () => {
    const stale = { from: iso(NOW - 200 * DAY_MS), to: iso(NOW - 95 * DAY_MS) };
    const plan = nextWindow(stale, NOW, 60);
    expect(plan.covered).toBeUndefined();
    expect(plan.window?.kind).toBe('backfill');
  });

  it('property: repeated windows tile [start, now − lag) without gaps or overlaps', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 90 }),
        fc.array(fc.integer({ min: 1, max: 90 }), { maxLength: 4 }),
        fc.array(fc.integer({ min: 0, max: 10 * DAY_MS }), { maxLength: 4 }),
        (firstDays, laterDays, gaps) => {
          let now = NOW;
          let covered: { from: string; to: string } | undefined;
          const windows: Array<[number, number]> = [];
          for (const [i, days] of [firstDays, ...laterDays].entries()) {
            now += gaps[i] ?? 0;
            for (let guard = 0; guard < 5; guard++) {
              const plan = nextWindow(covered, now, days);
              if (!plan.window) break;
              windows.push([Date.parse(plan.window.from), Date.parse(plan.window.to)]);
              covered = coveredAfter(plan.covered, plan.window);
            }
            expect(Date.parse(covered?.to ?? '')).toBe(Math.floor((now - LAG) / 1000) * 1000);
          }
          // Windows never overlap.
          const sorted = [...windows].sort((a, b) => a[0] - b[0]);
          for (let i = 1; i < sorted.length; i++)
            expect(sorted[i]?.[0]).toBeGreaterThanOrEqual(sorted[i - 1]?.[1] ?? 0);
          for (const [from, to] of windows) {
            expect(from % 1000).toBe(0);
            expect(to % 1000).toBe(0);
            expect(from).toBeLessThan(to);
          }
        },
      ),
    );
  });
});
