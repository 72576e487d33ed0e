import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  capSpan,
  clockSkewProblem,
  coverageCap,
  coveredAfter,
  DAY_MS,
  MAX_CLOCK_SKEW_MS,
  nextWindow,
  oldestReadable,
  repairCursor,
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

describe('coverageCap and capSpan: nothing past serviceTime − lag', () => {
  const SERVICE = Date.parse('2026-11-30T12:00:00.700Z');
  it('caps at serviceTime − lag on a whole second', () => {
    expect(iso(coverageCap(SERVICE))).toBe('2026-11-30T11:45:00.000Z');
    expect(iso(coverageCap(SERVICE, 0))).toBe('2026-11-30T12:00:00.000Z');
  });
  it('keeps a span ending at the cap, cuts one past it, drops one wholly past it', () => {
    const cap = coverageCap(SERVICE);
    const span = (from: number, to: number) => ({ from: iso(from), to: iso(to) });
    expect(capSpan(span(cap - 10_000, cap), cap)).toEqual(span(cap - 10_000, cap));
    expect(capSpan(span(cap - 10_000, cap + 1000), cap)).toEqual(span(cap - 10_000, cap));
    expect(capSpan(span(cap - 10_000, cap + 3 * DAY_MS), cap)).toEqual(span(cap - 10_000, cap));
    expect(capSpan(span(cap, cap + 1000), cap)).toBeUndefined();
    expect(capSpan(undefined, cap)).toBeUndefined();
  });
  it('property: a capped span never ends past the cap and never grows', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 * DAY_MS }),
        fc.integer({ min: 1000, max: 10 * DAY_MS }),
        fc.integer({ min: 0, max: 110 * DAY_MS }),
        (from, length, cap) => {
          const span = { from: iso(from), to: iso(from + length) };
          const out = capSpan(span, cap);
          if (!out) return cap <= from;
          return (
            Date.parse(out.to) <= Math.max(cap, from) &&
            out.from === span.from &&
            Date.parse(out.to) <= Date.parse(span.to)
          );
        },
      ),
    );
  });
});

describe('clockSkewProblem: more than 5 minutes either way is refused', () => {
  const SERVICE = Date.parse('2026-11-30T12:00:00Z');
  it('allows exactly 5 minutes, refuses 5 minutes and 1 ms, both directions', () => {
    expect(MAX_CLOCK_SKEW_MS).toBe(5 * 60_000);
    expect(clockSkewProblem(SERVICE + MAX_CLOCK_SKEW_MS, SERVICE)).toEqual({
      skewMs: MAX_CLOCK_SKEW_MS,
    });
    expect(clockSkewProblem(SERVICE - MAX_CLOCK_SKEW_MS, SERVICE).problem).toBeUndefined();
    expect(clockSkewProblem(SERVICE + MAX_CLOCK_SKEW_MS + 1, SERVICE).problem).toMatch(
      /clock is 5 minutes ahead of CloudTrail's/,
    );
    expect(clockSkewProblem(SERVICE - MAX_CLOCK_SKEW_MS - 1, SERVICE).problem).toMatch(
      /clock is 5 minutes behind CloudTrail's/,
    );
    expect(clockSkewProblem(SERVICE, SERVICE)).toEqual({ skewMs: 0 });
  });
  it('says how far off, the service time, what to do and that nothing was covered', () => {
    const problem = clockSkewProblem(SERVICE + 3 * DAY_MS, SERVICE).problem ?? '';
    expect(problem).toContain("this machine's clock is 3 days ahead of CloudTrail's");
    expect(problem).toContain('service time 2026-11-30T12:00:00.000Z');
    expect(problem).toContain('fix the clock (NTP) and run again; nothing was marked covered');
  });
});

describe('repairCursor: a cursor past serviceTime − lag is cut back', () => {
  const cap = Date.parse('2026-11-30T11:45:00Z');
  const w = (from: number, to: number) => ({
    from: iso(from),
    to: iso(to),
    kind: 'catch-up' as const,
    pages: 3,
    events: 100,
    nextToken: 'x',
  });
  it('leaves a cursor within the cap alone', () => {
    const covered = { from: iso(cap - DAY_MS), to: iso(cap) };
    const window = w(cap - 1000, cap);
    expect(repairCursor(covered, window, cap)).toEqual({ covered, window, changed: false });
  });
  it('drops a coverage and a window that end past the cap: the history is read again', () => {
    const covered = { from: iso(cap - DAY_MS), to: iso(cap + 3 * DAY_MS) };
    const out = repairCursor(covered, w(cap + 3 * DAY_MS, cap + 3 * DAY_MS + 60_000), cap);
    expect(out).toEqual({ changed: true });
    // The next plan is a backfill up to the service's now − lag: nothing stays claimed unread.
    const plan = nextWindow(out.covered, cap + LAG, 90);
    expect(plan.window).toMatchObject({ kind: 'backfill', to: iso(cap) });
  });
  it('drops a coverage that ends 1 s past the cap, keeps one ending at it', () => {
    const span = { from: iso(cap - DAY_MS), to: iso(cap + 1000) };
    expect(repairCursor(span, undefined, cap)).toEqual({ changed: true });
    const at = { from: iso(cap - DAY_MS), to: iso(cap) };
    expect(repairCursor(at, undefined, cap)).toEqual({ covered: at, changed: false });
  });
});

describe('planning from the service time never claims past it', () => {
  it('property: after repair, the next window and the coverage kept end at serviceTime − lag at the latest', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100 * DAY_MS, max: 200 * DAY_MS }),
        fc.integer({ min: -5 * DAY_MS, max: 5 * DAY_MS }),
        fc.integer({ min: 1000, max: 95 * DAY_MS }),
        fc.integer({ min: 1, max: 90 }),
        (serviceMs, endOffset, length, days) => {
          const to = serviceMs + endOffset;
          const covered = { from: iso(to - length), to: iso(to) };
          const cap = coverageCap(serviceMs);
          const repaired = repairCursor(covered, undefined, cap);
          const plan = nextWindow(repaired.covered, serviceMs, days);
          const ends = [plan.window?.to, plan.covered?.to].filter((e) => e !== undefined);
          return ends.every((e) => Date.parse(e) <= cap);
        },
      ),
    );
  });
});
