import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type IdleRecheckInput,
  recheckIdle,
} from '../../../../services/removals/idle/idle-recheck.js';
import { selectInactive } from '../../../../services/removals/idle/inactive-removals.js';
import { keepGroupMembers } from '../../../../services/removals/idle/keep-groups.js';
import { pendingEventsAgainst } from '../../../../services/removals/idle/pending-coverage.js';
import {
  type ActivityRecord,
  activityKey,
  COALESCE_MS,
} from '../../../../shared/activity-record.js';
import type { QuickSightUser } from '../../../../shared/domain.js';
import { DAY_MS, judgeIdle } from '../../../../shared/idle-rule.js';
import type { PendingEvidence } from '../../../../shared/pending-events.js';
import { SAMPLE_TASK } from '../worker/fixtures/sample-task.js';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-12-07T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const SETTINGS = { days: 60, roles: ['READER', 'READER_PRO'], maxLagMs: 2 * HOUR };

/** An idle Reader's task, planned two days ago with the idle rule's 60 days. */
const task = {
  ...SAMPLE_TASK,
  source: 'inactive',
  idleDays: 60,
  createdAt: iso(NOW - 2 * DAY_MS),
};

function record(over: Partial<ActivityRecord> = {}): ActivityRecord {
  return {
    userKey: 'default#role/a@example.com',
    namespace: 'default',
    userName: SAMPLE_TASK.userName,
    spans: {},
    updatedAt: iso(NOW),
    version: 1,
    ...over,
  };
}

function input(over: Partial<IdleRecheckInput> = {}): IdleRecheckInput {
  return {
    task,
    record: record({
      last: { at: iso(NOW - 70 * DAY_MS), eventName: 'GetDashboard', source: 'cloudtrail' },
    }),
    cloudtrail: { from: iso(NOW - 90 * DAY_MS), to: iso(NOW - 15 * 60_000) },
    now: new Date(NOW),
    settings: SETTINGS,
    ...over,
  };
}

const lastAt = (ms: number) =>
  record({ last: { at: iso(ms), eventName: 'GetDashboard', source: 'cloudtrail' } });

describe('recheckIdle', () => {
  it('proceeds with a user still idle on a fresh record', () => {
    expect(recheckIdle(input())).toEqual({ kind: 'proceed' });
    expect(recheckIdle(input({ record: undefined }))).toEqual({ kind: 'proceed' });
  });

  it('leaves tasks of other sources to their own checks, even on a stale record', () => {
    for (const source of ['group_removal', 'deleted_event', 'csv'])
      expect(
        recheckIdle(
          input({ task: { ...task, source }, cloudtrail: undefined, record: lastAt(NOW) }),
        ),
      ).toEqual({ kind: 'proceed' });
  });

  it('cancels a user active since the plan, saying when, what and from where', () => {
    expect(recheckIdle(input({ record: lastAt(Date.parse('2026-12-07T08:12:00.000Z')) }))).toEqual({
      kind: 'cancel',
      reason: 'active again: last active 2026-12-07, GetDashboard, from CloudTrail',
    });
  });

  it('cancels a user registered since the plan (RegisterUser / CreateUser in the record)', () => {
    const created = record({
      last: { at: iso(NOW - 80 * DAY_MS), eventName: 'GetDashboard', source: 'cloudtrail' },
      created: { at: '2026-12-06T09:00:00.000Z', eventName: 'RegisterUser' },
    });
    expect(recheckIdle(input({ record: created }))).toEqual({
      kind: 'cancel',
      reason: 'registered since the plan: RegisterUser on 2026-12-06',
    });
    const before = record({ created: { at: iso(NOW - 10 * DAY_MS), eventName: 'CreateUser' } });
    expect(recheckIdle(input({ record: before }))).toEqual({
      kind: 'cancel',
      reason: 'registered within 60 days: CreateUser on 2026-11-27',
    });
  });

  it('defers (never deletes, never cancels) on a record older than the lag limit: the boundary', () => {
    const endingAt = (end: number) =>
      recheckIdle(input({ cloudtrail: { from: iso(NOW - 90 * DAY_MS), to: iso(end) } }));
    expect(endingAt(NOW - 2 * HOUR)).toEqual({ kind: 'proceed' });
    expect(endingAt(NOW - 2 * HOUR - 1)).toEqual({
      kind: 'defer',
      reason: `the activity record ends at ${iso(NOW - 2 * HOUR - 1)}, older than IDSYNC_ACTIVITY_MAX_LAG_HOURS=2: run idsync activity sync`,
    });
    // Stale even when the stale record shows the user active: not judged either way.
    expect(
      recheckIdle(
        input({
          record: lastAt(NOW - DAY_MS),
          cloudtrail: { from: iso(0), to: iso(NOW - DAY_MS) },
        }),
      ),
    ).toMatchObject({ kind: 'defer' });
    expect(recheckIdle(input({ cloudtrail: undefined }))).toEqual({
      kind: 'defer',
      reason: 'the activity record has no CloudTrail coverage: run idsync activity sync',
    });
  });

  it('defers when the record no longer covers the N days (coverage lost or cut short)', () => {
    const short = recheckIdle(
      input({ cloudtrail: { from: iso(NOW - 30 * DAY_MS), to: iso(NOW - HOUR) } }),
    );
    expect(short).toMatchObject({ kind: 'defer' });
    expect(short.kind === 'defer' && short.reason).toMatch(
      /^not judged again: the activity record covers only 29 days .*, not 60$/,
    );
  });

  it("judges with the plan's N days, or IDSYNC_INACTIVE_DAYS for a task without them", () => {
    const r = lastAt(NOW - 45 * DAY_MS);
    expect(recheckIdle(input({ record: r, task: { ...task, idleDays: 30 } }))).toEqual({
      kind: 'proceed',
    });
    const { idleDays: _, ...older } = task;
    expect(recheckIdle(input({ record: r, task: older }))).toMatchObject({ kind: 'cancel' });
    expect(
      recheckIdle(input({ record: r, task: older, settings: { ...SETTINGS, days: 40 } })),
    ).toEqual({ kind: 'proceed' });
  });

  it('cancels when the role, as planned or as listed now, is no longer an idle role', () => {
    const readersOnly = { ...SETTINGS, roles: ['reader'] };
    expect(recheckIdle(input({ settings: readersOnly }))).toEqual({ kind: 'proceed' });
    expect(recheckIdle(input({ settings: readersOnly, listedRole: 'READER_PRO' }))).toEqual({
      kind: 'cancel',
      reason: 'not idle now: role READER_PRO is not an idle role (IDSYNC_INACTIVE_ROLES)',
    });
    expect(recheckIdle(input({ settings: { ...SETTINGS, roles: ['READER_PRO'] } }))).toMatchObject({
      kind: 'cancel',
    });
  });

  it('is coalescing-safe: activity COALESCE_MS before the window still counts, 1 ms earlier not', () => {
    const end = NOW - 15 * 60_000;
    const edge = end - 60 * DAY_MS - COALESCE_MS;
    expect(recheckIdle(input({ record: lastAt(edge) }))).toMatchObject({ kind: 'cancel' });
    expect(recheckIdle(input({ record: lastAt(edge - 1) }))).toEqual({ kind: 'proceed' });
  });

  it('never proceeds unless the record is fresh and the idle rule says idle (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6 * HOUR }),
        fc.integer({ min: 1, max: 120 }),
        fc.option(fc.integer({ min: -HOUR, max: 100 * DAY_MS }), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 100 * DAY_MS }), { nil: undefined }),
        fc.integer({ min: 1, max: 90 }),
        (lag, span, lastAgo, createdAgo, days) => {
          const end = NOW - lag;
          const cloudtrail = { from: iso(end - span * DAY_MS), to: iso(end) };
          const r = record({
            ...(lastAgo === undefined
              ? {}
              : {
                  last: {
                    at: iso(end - lastAgo),
                    eventName: 'GetDashboard',
                    source: 'cloudtrail' as const,
                  },
                }),
            ...(createdAgo === undefined
              ? {}
              : { created: { at: iso(end - createdAgo), eventName: 'RegisterUser' } }),
          });
          const answer = recheckIdle(
            input({ record: r, cloudtrail, task: { ...task, idleDays: days } }),
          );
          const verdict = judgeIdle({
            role: 'READER',
            idleRoles: new Set(['READER']),
            days,
            now: new Date(NOW),
            coverage: [cloudtrail],
            ...(r.last ? { last: r.last } : {}),
            ...(r.created ? { createdAt: r.created.at } : {}),
            maxLagMs: SETTINGS.maxLagMs,
          });
          if (answer.kind === 'proceed') {
            expect(lag).toBeLessThanOrEqual(SETTINGS.maxLagMs);
            expect(verdict.idle).toBe(true);
          } else if (lag > SETTINGS.maxLagMs) {
            expect(answer.kind).toBe('defer');
          } else {
            expect(verdict.idle).toBe(false);
          }
        },
      ),
    );
  });
});

describe('recheckIdle: the plan’s keep groups and pending events', () => {
  const KEEP = 'report-mail@example.com';
  const members = keepGroupMembers([{ group: KEEP, email: SAMPLE_TASK.email }]);
  const inside: PendingEvidence = {
    idcUserId: 'idc-1',
    newest: { at: iso(NOW - DAY_MS), eventName: 'GetDashboard', source: 'cloudtrail' },
    events: 1,
  };

  it('cancels a keep-group member with the kept reason, by the task’s or the listed email', () => {
    const kept = {
      kind: 'cancel',
      reason: `kept: member of ${KEEP} (IDSYNC_INACTIVE_KEEP_GROUPS)`,
    };
    expect(recheckIdle(input({ keepMembers: members }))).toEqual(kept);
    const byListed = keepGroupMembers([{ group: KEEP, email: 'alias@example.com' }]);
    expect(recheckIdle(input({ keepMembers: byListed }))).toEqual({ kind: 'proceed' });
    expect(recheckIdle(input({ keepMembers: byListed, listedEmail: 'Alias@Example.com' }))).toEqual(
      kept,
    );
  });

  it('defers on an untrusted keep-group listing, before anything else', () => {
    expect(
      recheckIdle(input({ keepListingProblem: 'unlisted', record: lastAt(NOW - DAY_MS) })),
    ).toEqual({ kind: 'defer', reason: 'unlisted' });
  });

  it('defers while pending events could be the user’s inside its window', () => {
    const count = (window: { from: string; to: string }) =>
      pendingEventsAgainst(window, [inside], { emailIdcUserIds: [] });
    expect(recheckIdle(input({ pendingEventsIn: count }))).toEqual({
      kind: 'defer',
      reason:
        'not judged again: 1 CloudTrail event of an IdC user the identity map does not know yet is not attributed',
    });
    const someoneElse = (window: { from: string; to: string }) =>
      pendingEventsAgainst(window, [inside], { emailIdcUserIds: ['idc-2'] });
    expect(recheckIdle(input({ pendingEventsIn: someoneElse }))).toEqual({ kind: 'proceed' });
  });

  it('agrees with the plan’s selection on the same inputs: idle ⇔ proceed, kept/active/created ⇒ cancel, uncovered ⇒ defer (property)', () => {
    const user: QuickSightUser = {
      userName: SAMPLE_TASK.userName,
      email: SAMPLE_TASK.email,
      role: 'READER',
      identityType: 'IAM',
      arn: SAMPLE_TASK.arn,
    };
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 0, max: 100 * DAY_MS }), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 100 * DAY_MS }), { nil: undefined }),
        fc.option(fc.integer({ min: -DAY_MS, max: 100 * DAY_MS }), { nil: undefined }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 80 }),
        (lastAgo, createdAgo, pendingAgo, kept, someoneElse, days) => {
          const end = NOW - 15 * 60_000;
          const cloudtrail = { from: iso(NOW - 90 * DAY_MS), to: iso(end) };
          const r = record({
            ...(lastAgo === undefined
              ? {}
              : {
                  last: {
                    at: iso(end - lastAgo),
                    eventName: 'GetDashboard',
                    source: 'cloudtrail' as const,
                  },
                }),
            ...(createdAgo === undefined
              ? {}
              : { created: { at: iso(end - createdAgo), eventName: 'RegisterUser' } }),
          });
          const pending: PendingEvidence[] =
            pendingAgo === undefined
              ? []
              : [
                  {
                    idcUserId: 'idc-1',
                    newest: {
                      at: iso(end - pendingAgo),
                      eventName: 'GetDashboard',
                      source: 'cloudtrail',
                    },
                    events: 1,
                  },
                ];
          const facts = { emailIdcUserIds: someoneElse ? ['idc-2'] : [] };
          const keepMembers = kept ? members : new Map<string, string>();
          const count = (window: { from: string; to: string }) =>
            pendingEventsAgainst(window, pending, facts);
          const plan = selectInactive({
            namespace: 'default',
            quickSightUsers: [user],
            records: new Map([[activityKey('default', user.userName), r]]),
            cloudtrail,
            firstListed: new Map(),
            managedPeople: new Set([SAMPLE_TASK.email]),
            days,
            roles: ['READER'],
            now: new Date(NOW),
            keepMembers,
            pendingEventsOf: (_u, window) => count(window),
            maxLagMs: SETTINGS.maxLagMs,
          });
          const answer = recheckIdle(
            input({
              record: r,
              cloudtrail,
              task: { ...task, idleDays: days },
              keepMembers,
              pendingEventsIn: count,
            }),
          );
          const [judged] = [...plan.idle, ...plan.kept];
          const verdict = judged?.verdict;
          if (plan.idle.length === 1) expect(answer).toEqual({ kind: 'proceed' });
          else if (verdict?.idle === false && verdict.why === 'kept')
            expect(answer).toEqual({ kind: 'cancel', reason: verdict.reason });
          else if (plan.counts.uncovered === 1) expect(answer.kind).toBe('defer');
          else expect(answer.kind).toBe('cancel');
        },
      ),
      { numRuns: 500 },
    );
  });
});
