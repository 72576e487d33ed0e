import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ActivityDelta,
  type ActivityRecord,
  activityKey,
  activityUserName,
  COALESCE_MS,
  combineDeltas,
  isoTime,
  mergeActivity,
} from '../../shared/activity-record.js';

const base = Date.UTC(2026, 8, 1);
const t = (ms: number) => new Date(base + ms).toISOString();
const NOW = t(400 * 3_600_000);
const view = (ms: number): ActivityDelta => ({
  namespace: 'default',
  userName: 'Reader/Alice@example.com',
  newest: { at: t(ms), eventName: 'GetDashboard', source: 'cloudtrail' },
});

describe('activityKey', () => {
  it('is the namespace and the NFKC-lowercased user name', () => {
    expect(activityKey('default', 'AWSReservedSSO_Reader_1/ＡＬＩＣＥ＠Example.com ')).toBe(
      'default#awsreservedsso_reader_1/alice@example.com',
    );
  });
});

describe('isoTime', () => {
  it('normalises dates and refuses garbage', () => {
    expect(isoTime('2026-09-01')).toBe('2026-09-01T00:00:00.000Z');
    expect(() => isoTime('yesterday')).toThrow(/not a time/);
  });
});

describe('mergeActivity', () => {
  it('writes a new record, then only when a time moves by more than an hour', () => {
    const r1 = mergeActivity(undefined, view(0), NOW) as ActivityRecord;
    expect(r1.version).toBe(1);
    expect(mergeActivity(r1, view(COALESCE_MS), NOW)).toBeUndefined();
    expect(mergeActivity(r1, view(-COALESCE_MS), NOW)).toBeUndefined();
    expect(mergeActivity(r1, view(COALESCE_MS + 1), NOW)?.last?.at).toBe(t(COALESCE_MS + 1));
    expect(mergeActivity(r1, view(-COALESCE_MS - 1), NOW)?.first?.at).toBe(t(-COALESCE_MS - 1));
  });

  it('creation evidence is not activity, and a newer creation replaces an older one', () => {
    const c = (ms: number): ActivityDelta => ({
      namespace: 'default',
      userName: 'bob@example.com',
      created: { at: t(ms), eventName: 'RegisterUser' },
    });
    const r1 = mergeActivity(undefined, c(0), NOW) as ActivityRecord;
    expect(r1.last).toBeUndefined();
    expect(mergeActivity(r1, c(0), NOW)).toBeUndefined();
    expect(mergeActivity(r1, c(-5), NOW)).toBeUndefined();
    expect(mergeActivity(r1, c(5), NOW)?.created?.at).toBe(t(5));
  });

  it('property: merged newest/earliest are within an hour of the true max/min, and re-merging changes nothing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 90 * 86_400_000 }), { minLength: 1 }),
        (times) => {
          let rec: ActivityRecord | undefined;
          let writes = 0;
          for (const ms of times) {
            const next = mergeActivity(rec, view(ms), NOW);
            if (next) {
              rec = next;
              writes++;
            }
          }
          const max = Math.max(...times);
          const min = Math.min(...times);
          const last = Date.parse(rec?.last?.at ?? '') - base;
          const first = Date.parse(rec?.first?.at ?? '') - base;
          expect(max - last).toBeLessThanOrEqual(COALESCE_MS);
          expect(last).toBeLessThanOrEqual(max);
          expect(first - min).toBeLessThanOrEqual(COALESCE_MS);
          expect(first).toBeGreaterThanOrEqual(min);
          // Each write after the first moves an end by more than an hour.
          expect(writes).toBeLessThanOrEqual(1 + Math.floor((max - min) / COALESCE_MS) * 2 + 1);
          for (const ms of times) expect(mergeActivity(rec, view(ms), NOW)).toBeUndefined();
        },
      ),
    );
  });

  it('combineDeltas keeps the newest, the oldest and the union of spans', () => {
    const a: ActivityDelta = {
      ...view(10),
      spans: { cloudtrail: { from: t(10), to: t(10) } },
    };
    const b: ActivityDelta = {
      ...view(2),
      spans: { cloudtrail: { from: t(2), to: t(2) } },
      created: { at: t(1), eventName: 'CreateUser' },
    };
    const c = combineDeltas(a, b);
    expect(c.newest?.at).toBe(t(10));
    expect(c.oldest?.at).toBe(t(2));
    expect(c.spans?.cloudtrail).toEqual({ from: t(2), to: t(10) });
    expect(c.created?.at).toBe(t(1));
  });
});

describe('activityUserName', () => {
  it('keeps user names, and gives N/A users a key of their own', () => {
    expect(activityUserName({ userName: 'Reader/a@example.com', principalId: 'p' })).toBe(
      'Reader/a@example.com',
    );
    expect(activityUserName({ userName: 'N/A', principalId: 'user/d-1/u-1' })).toBe(
      'N/A#user/d-1/u-1',
    );
    expect(
      activityKey('default', activityUserName({ userName: 'N/A', principalId: 'X' })),
    ).not.toBe(activityKey('default', activityUserName({ userName: 'N/A', principalId: 'Y' })));
  });
});

describe('mergeActivity with exact (the flush of coalesced evidence)', () => {
  it('writes when the newest time moves later at all, or the oldest earlier at all', () => {
    const r1 = mergeActivity(undefined, view(0), NOW) as ActivityRecord;
    expect(mergeActivity(r1, view(60_000), NOW)).toBeUndefined();
    const later = mergeActivity(r1, view(60_000), NOW, { exact: true });
    expect(later?.last?.at).toBe(t(60_000));
    expect(later?.version).toBe(2);
    const earlier = mergeActivity(r1, view(-1), NOW, { exact: true });
    expect(earlier?.first?.at).toBe(t(-1));
    expect(earlier?.last?.at).toBe(t(0));
  });

  it('writes nothing when no time moves', () => {
    const r1 = mergeActivity(undefined, view(0), NOW) as ActivityRecord;
    expect(mergeActivity(r1, view(0), NOW, { exact: true })).toBeUndefined();
    expect(mergeActivity(r1, view(-COALESCE_MS), NOW, { exact: true })?.first?.at).toBe(
      t(-COALESCE_MS),
    );
  });
});

describe('mergeActivity with exactNewest (the pages of activity sync)', () => {
  it('writes a newest time that moved at all; earliest times stay coalesced', () => {
    const r1 = mergeActivity(undefined, view(0), NOW) as ActivityRecord;
    expect(mergeActivity(r1, view(1), NOW, { exactNewest: true })?.last?.at).toBe(t(1));
    expect(mergeActivity(r1, view(0), NOW, { exactNewest: true })).toBeUndefined();
    expect(mergeActivity(r1, view(-60_000), NOW, { exactNewest: true })).toBeUndefined();
  });
});
