import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ActivityMark, COALESCE_MS } from '../../shared/activity-record.js';
import { loadConfig } from '../../shared/config/index.js';
import {
  coveredWindow,
  DAY_MS,
  DEFAULT_MAX_LAG_MS,
  type IdleInput,
  idleBefore,
  joinSpans,
  judgeIdle,
  staleReason,
} from '../../shared/idle-rule.js';

const READERS = new Set(['READER', 'READER_PRO']);
const iso = (ms: number) => new Date(ms).toISOString();

/** The same instant written with a UTC offset of `minutes` (e.g. +09:00, -05:30). */
function withOffset(ms: number, minutes: number): string {
  const local = new Date(ms + minutes * 60_000).toISOString().slice(0, 23);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${sign}${hh}:${mm}`;
}

const T0 = Date.parse('2026-11-30T12:00:00.000Z');
const nowArb = fc.integer({ min: T0, max: T0 + 30 * DAY_MS });
const daysArb = fc.integer({ min: 1, max: 90 });
const offsetArb = fc.integer({ min: -12 * 60, max: 14 * 60 });
const sourceArb = fc.constantFrom('cloudtrail' as const, 'live' as const, 'import' as const);

/** A record covering 90 days up to (or a little before) now, and evidence placed anywhere. */
const caseArb = fc
  .record({
    now: nowArb,
    days: daysArb,
    lagMs: fc.integer({ min: 0, max: DEFAULT_MAX_LAG_MS }),
    lastAgoMs: fc.option(fc.integer({ min: -DAY_MS, max: 120 * DAY_MS }), { nil: undefined }),
    createdAgoMs: fc.option(fc.integer({ min: 0, max: 120 * DAY_MS }), { nil: undefined }),
    listedAgoMs: fc.option(fc.integer({ min: 0, max: 120 * DAY_MS }), { nil: undefined }),
    source: sourceArb,
    role: fc.constantFrom('READER', 'reader_pro', 'AUTHOR', 'ADMIN'),
  })
  .map((c): IdleInput => {
    const end = c.now - c.lagMs;
    return {
      role: c.role,
      idleRoles: READERS,
      days: c.days,
      now: new Date(c.now),
      coverage: [{ from: iso(end - 90 * DAY_MS), to: iso(end) }],
      ...(c.lastAgoMs === undefined
        ? {}
        : {
            last: { at: iso(end - c.lastAgoMs), eventName: 'GetDashboard', source: c.source },
          }),
      ...(c.createdAgoMs === undefined ? {} : { createdAt: iso(end - c.createdAgoMs) }),
      ...(c.listedAgoMs === undefined ? {} : { firstListedAt: iso(end - c.listedAgoMs) }),
    };
  });

function reader(over: Partial<IdleInput> = {}): IdleInput {
  const now = new Date('2026-12-02T10:00:00.000Z');
  return {
    role: 'READER',
    idleRoles: READERS,
    days: 60,
    now,
    coverage: [{ from: '2026-09-03T10:00:00.000Z', to: '2026-12-02T09:30:00.000Z' }],
    ...over,
  };
}

describe('judgeIdle (examples)', () => {
  it('says what was seen: the last activity, its event and source', () => {
    const last: ActivityMark = {
      at: '2026-09-14T08:00:00.000Z',
      eventName: 'GetDashboard',
      source: 'cloudtrail',
    };
    expect(judgeIdle(reader({ last }))).toMatchObject({
      idle: true,
      reason: 'last active 2026-09-14, GetDashboard, from CloudTrail',
    });
  });

  it('says since when nothing was seen when the record holds no activity', () => {
    expect(judgeIdle(reader())).toMatchObject({
      idle: true,
      reason: 'no activity since the record began on 2026-09-03',
    });
  });

  it('a user registered 10 days ago without activity is not idle', () => {
    const v = judgeIdle(reader({ createdAt: '2026-11-22T10:00:00.000Z' }));
    expect(v).toMatchObject({ idle: false, why: 'created' });
    expect(v.reason).toContain('registered on 2026-11-22');
  });

  it('a user first listed by a snapshot within the window is not idle', () => {
    const v = judgeIdle(reader({ firstListedAt: '2026-11-01T00:00:00.000Z' }));
    expect(v).toMatchObject({ idle: false, why: 'created' });
    expect(v.reason).toContain('first listed by the snapshot of 2026-11-01');
  });

  it('an Author is never idle through this rule', () => {
    expect(judgeIdle(reader({ role: 'AUTHOR' }))).toMatchObject({ idle: false, why: 'role' });
  });

  it('refuses when the record is stale or too short, saying what history exists', () => {
    const stale = judgeIdle(
      reader({ coverage: [{ from: '2026-09-01T00:00:00Z', to: '2026-11-30T00:00:00Z' }] }),
    );
    expect(stale).toMatchObject({ idle: false, why: 'uncovered' });
    expect(stale.reason).toBe(
      'the activity record ends at 2026-11-30T00:00:00.000Z, older than IDSYNC_ACTIVITY_MAX_LAG_HOURS=2: run idsync activity sync',
    );
    const short = judgeIdle(
      reader({ coverage: [{ from: '2026-11-02T09:30:00.000Z', to: '2026-12-02T09:30:00.000Z' }] }),
    );
    expect(short.reason).toBe(
      'the activity record covers only 30 days (since 2026-11-02T09:30:00.000Z), not 60',
    );
  });

  it('an import span joins the CloudTrail coverage when they touch, not across a gap', () => {
    const cloudtrail = { from: '2026-11-01T00:00:00.000Z', to: '2026-12-02T09:00:00.000Z' };
    const imported = { from: '2026-08-01T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' };
    expect(judgeIdle(reader({ coverage: [cloudtrail, imported] })).idle).toBe(true);
    const gap = { from: '2026-08-01T00:00:00.000Z', to: '2026-10-31T23:00:00.000Z' };
    expect(judgeIdle(reader({ coverage: [cloudtrail, gap] }))).toMatchObject({
      idle: false,
      why: 'uncovered',
    });
  });
});

describe('judgeIdle: coalesced writes (COALESCE_MS)', () => {
  // The record ends at 2026-12-02T09:30Z; 60 days before it is 2026-10-03T09:30Z.
  const windowStart = Date.parse('2026-12-02T09:30:00.000Z') - 60 * DAY_MS;
  const lastAt = (ms: number) =>
    reader({ last: { at: iso(ms), eventName: 'GetDashboard', source: 'cloudtrail' } });

  it('counts the stored last activity COALESCE_MS later: active up to the edge, idle 1 ms beyond', () => {
    expect(COALESCE_MS).toBe(3_600_000);
    const edge = windowStart - COALESCE_MS;
    expect(judgeIdle(lastAt(edge + 1))).toMatchObject({ idle: false, why: 'active' });
    expect(judgeIdle(lastAt(edge))).toMatchObject({ idle: false, why: 'active' });
    expect(judgeIdle(lastAt(edge - 1))).toMatchObject({ idle: true });
    // Without the margin the stored time alone is outside the window: still active.
    expect(judgeIdle(lastAt(windowStart - 1))).toMatchObject({ idle: false, why: 'active' });
  });

  it('moves idleAfter by the same margin: N days after last.at + COALESCE_MS', () => {
    const at = Date.parse('2026-11-20T08:00:00.000Z');
    const v = judgeIdle(lastAt(at));
    expect(v).toMatchObject({
      idle: false,
      why: 'active',
      idleAfter: iso(at + COALESCE_MS + 60 * DAY_MS),
    });
    // At idleAfter itself the user is still active; 1 ms later idle.
    const after = at + COALESCE_MS + 60 * DAY_MS;
    const later = (end: number) =>
      judgeIdle({
        ...lastAt(at),
        now: new Date(end),
        coverage: [{ from: '2026-09-01T00:00:00.000Z', to: iso(end) }],
      });
    expect(later(after - 1).idle).toBe(false);
    expect(later(after).idle).toBe(false);
    expect(later(after + 1).idle).toBe(true);
  });
});

describe('judgeIdle: how far the record may lag (IDSYNC_ACTIVITY_MAX_LAG_HOURS)', () => {
  const now = Date.parse('2026-12-02T10:00:00.000Z');
  const endingAt = (end: number, maxLagMs?: number) =>
    judgeIdle(
      reader({
        coverage: [{ from: '2026-09-01T00:00:00.000Z', to: iso(end) }],
        ...(maxLagMs === undefined ? {} : { maxLagMs }),
      }),
    );

  it('defaults to the configured default, 2 hours: exactly 2 h behind counts, 1 ms more does not', () => {
    expect(DEFAULT_MAX_LAG_MS).toBe(2 * 3_600_000);
    expect(loadConfig(['activity'], {}).activity.maxLagMs).toBe(DEFAULT_MAX_LAG_MS);
    expect(endingAt(now - DEFAULT_MAX_LAG_MS).idle).toBe(true);
    expect(endingAt(now - DEFAULT_MAX_LAG_MS - 1)).toMatchObject({ idle: false, why: 'uncovered' });
  });

  it('takes the limit as an input (from IDSYNC_ACTIVITY_MAX_LAG_HOURS)', () => {
    const half = loadConfig(['activity'], { IDSYNC_ACTIVITY_MAX_LAG_HOURS: '0.5' }).activity
      .maxLagMs;
    expect(half).toBe(1_800_000);
    expect(endingAt(now - half, half).idle).toBe(true);
    const v = endingAt(now - half - 1, half);
    expect(v).toMatchObject({ idle: false, why: 'uncovered' });
    expect(v.reason).toMatch(
      /older than IDSYNC_ACTIVITY_MAX_LAG_HOURS=0\.5: run idsync activity sync$/,
    );
    // A day-old record was accepted before; no longer by default.
    expect(endingAt(now - 20 * 3_600_000, 24 * 3_600_000).idle).toBe(true);
    expect(endingAt(now - 20 * 3_600_000).idle).toBe(false);
    expect(staleReason(now - 1, now, 1)).toBeUndefined();
    expect(staleReason(now - 2, now, 1)).toMatch(/^the activity record ends at /);
  });

  it('refuses a value outside 0.25 to 24 hours, naming the variable', () => {
    for (const bad of ['0', '0.1', '25', 'two', '-1'])
      expect(() => loadConfig(['activity'], { IDSYNC_ACTIVITY_MAX_LAG_HOURS: bad })).toThrow(
        /IDSYNC_ACTIVITY_MAX_LAG_HOURS/,
      );
  });
});

describe('judgeIdle (properties)', () => {
  it('the boundary: activity exactly N days and COALESCE_MS before the record ends is not idle, 1 ms earlier is', () => {
    fc.assert(
      fc.property(
        nowArb,
        daysArb,
        fc.integer({ min: 0, max: DEFAULT_MAX_LAG_MS }),
        (now, days, lag) => {
          const end = now - lag;
          const base = reader({
            now: new Date(now),
            days,
            coverage: [{ from: iso(end - 90 * DAY_MS), to: iso(end) }],
          });
          const at = (ms: number) => ({
            ...base,
            last: { at: iso(ms), eventName: 'GetDashboard', source: 'cloudtrail' as const },
          });
          const edge = end - days * DAY_MS - COALESCE_MS;
          expect(judgeIdle(at(edge))).toMatchObject({ idle: false, why: 'active' });
          expect(judgeIdle(at(edge - 1)).idle).toBe(true);
        },
      ),
    );
  });

  it('is idle exactly when the role is idle, nothing happened in N days and nothing is new', () => {
    fc.assert(
      fc.property(caseArb, (input) => {
        const end = Date.parse(input.coverage[0]?.to ?? '');
        const start = end - input.days * DAY_MS;
        const recent = (t?: string, margin = 0) =>
          t !== undefined && Date.parse(t) + margin >= start;
        const expected =
          READERS.has(input.role.toUpperCase()) &&
          !recent(input.last?.at, COALESCE_MS) &&
          !recent(input.createdAt) &&
          !recent(input.firstListedAt);
        expect(judgeIdle(input).idle).toBe(expected);
      }),
    );
  });

  it('coverage: never idle when the covered span starts after the window or ends too long ago', () => {
    fc.assert(
      fc.property(
        caseArb,
        fc.integer({ min: 1, max: 60 * DAY_MS }),
        fc.boolean(),
        (input, shortBy, stale) => {
          const now = input.now.getTime();
          const coverage = stale
            ? [{ from: iso(now - 200 * DAY_MS), to: iso(now - DEFAULT_MAX_LAG_MS - shortBy) }]
            : [{ from: iso(now - input.days * DAY_MS + shortBy), to: iso(now) }];
          const v = judgeIdle({ ...input, role: 'READER', coverage });
          expect(v).toMatchObject({ idle: false });
          if (!v.idle && v.why !== 'active' && v.why !== 'created') expect(v.why).toBe('uncovered');
        },
      ),
    );
  });

  it('creation evidence within N days always keeps a user', () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 0, max: 90 }), fc.boolean(), (input, back, event) => {
        const end = Date.parse(input.coverage[0]?.to ?? '');
        const t = iso(end - Math.min(back, input.days) * DAY_MS);
        const withEvidence = event ? { ...input, createdAt: t } : { ...input, firstListedAt: t };
        expect(judgeIdle(withEvidence).idle).toBe(false);
      }),
    );
  });

  it('time zones: the same instants written with any UTC offsets give the same verdict', () => {
    fc.assert(
      fc.property(caseArb, fc.array(offsetArb, { minLength: 5, maxLength: 5 }), (input, offs) => {
        const [a = 0, b = 0, c = 0, d = 0, e = 0] = offs;
        const shift = (t: string, o: number) => withOffset(Date.parse(t), o);
        const moved: IdleInput = {
          ...input,
          coverage: input.coverage.map((s) => ({ from: shift(s.from, a), to: shift(s.to, b) })),
          ...(input.last ? { last: { ...input.last, at: shift(input.last.at, c) } } : {}),
          ...(input.createdAt ? { createdAt: shift(input.createdAt, d) } : {}),
          ...(input.firstListedAt ? { firstListedAt: shift(input.firstListedAt, e) } : {}),
        };
        const { last: _a, ...was } = judgeIdle(input);
        const { last: _b, ...is } = judgeIdle(moved);
        expect(is).toEqual(was);
      }),
    );
  });

  it('warn-days: a user not idle today is idle by idleAfter, never before', () => {
    fc.assert(
      fc.property(caseArb, (input) => {
        const v = judgeIdle(input);
        if (v.idle || v.idleAfter === undefined) return;
        const after = Date.parse(v.idleAfter);
        const coverage = [{ from: input.coverage[0]?.from ?? '', to: iso(after + 1) }];
        const later = judgeIdle({ ...input, now: new Date(after + 1), coverage });
        expect(later.idle).toBe(true);
        const atIt = judgeIdle({
          ...input,
          now: new Date(after),
          coverage: [{ ...coverage[0], to: iso(after) } as { from: string; to: string }],
        });
        expect(atIt.idle).toBe(false);
        expect(idleBefore(v, new Date(after + 1))).toBe(true);
        expect(idleBefore(v, new Date(after))).toBe(false);
      }),
    );
  });

  it('joinSpans: cutting a span into touching pieces covers the same', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e12 }),
        fc.array(fc.integer({ min: 1, max: 1e9 }), { minLength: 1, maxLength: 8 }),
        (start, lengths) => {
          let t = start;
          const pieces = lengths.map((len) => {
            const s = { from: iso(t), to: iso(t + len) };
            t += len;
            return s;
          });
          expect(joinSpans([...pieces].reverse())).toEqual([{ from: start, to: t }]);
          expect(coveredWindow(pieces, 1, new Date(t))).toMatchObject({ ok: t - start >= DAY_MS });
        },
      ),
    );
  });
});
