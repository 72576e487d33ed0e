import { describe, expect, it } from 'vitest';
import { applyWindow, guardedWriteKey } from '../../services/removals/plan/guard.js';
import { planRemovals } from '../../services/removals/plan/plan-removals.js';
import type { Removal } from '../../shared/domain.js';
import { leaveGroupDecisions } from '../../shared/quicksight-user-rules.js';
import { groupTaskIdFor, taskIdOfDecision, taskOfDecision } from '../../shared/task.js';
import { iamUser, idcUser, READER_ROLE_NAME } from '../services/removals/plan/builders.js';

/**
 * IDSYNC_GOOGLE_GROUP_WRITE=on in the plan: an idle IAM_IDENTITY_CENTER user still in configured
 * groups gets one `leave_group` decision per group (shared/quicksight-user-rules.ts,
 * `leaveGroupDecisions`), counted by the guard with deletions (services/removals/plan/guard.ts,
 * `guardedWriteKey`) and queued as `leave_group` tasks (shared/task.ts); off, a leaver or a CSV
 * listing: as before (`ends_with_group`).
 */

const NOW = new Date('2026-12-07T10:00:00Z');
const ann = 'ann@example.com';
const GROUPS = ['authors@example.com', 'readers@example.com'];
const idc = idcUser(ann, ann, 'p-ann');

const plan = (
  removals: Removal[],
  options: { groupWrite?: boolean; maxDeletions?: number; members?: boolean } = {},
) =>
  planRemovals({
    removals,
    quickSightUsers: [idc, iamUser(READER_ROLE_NAME, 'bob@example.com')],
    currentMembers: new Set(options.members === false ? [] : [ann]),
    memberGroups: new Map(options.members === false ? [] : [[ann, GROUPS]]),
    protectedRoles: [],
    protectedUsers: [],
    guard: { maxDeletions: options.maxDeletions ?? 10, maxDeletionPercent: 100 },
    now: NOW,
    ...(options.groupWrite === undefined ? {} : { groupWrite: options.groupWrite }),
  });
const idle: Removal = { email: ann, source: 'inactive', userName: ann, detail: 'idle 60 days' };

describe('leave_group decisions', () => {
  it('on: one leave_group decision per group of an idle IdC user, counted by the guard', () => {
    const p = plan([idle], { groupWrite: true });
    expect(p.decisions.map((d) => [d.decision, d.group])).toEqual([
      ['leave_group', 'authors@example.com'],
      ['leave_group', 'readers@example.com'],
    ]);
    expect(p.decisions[0]?.reason).toContain(
      'is taken out of Google group authors@example.com (IDSYNC_GOOGLE_GROUP_WRITE=on',
    );
    expect(p.counts).toMatchObject({ leave_group: 2, ends_with_group: 0, delete: 0 });
    // Counted with deletions: two group removals exceed a limit of one.
    const tripped = plan([idle], { groupWrite: true, maxDeletions: 1 });
    expect(tripped.guard.tripped).toBe(true);
    expect(tripped.guard.reasons[0]).toBe(
      '2 changes (2 group removals) exceed IDSYNC_MAX_DELETIONS=1',
    );
    // Blocked, they keep their group: a held task is still a group removal, never a deletion.
    expect(tripped.decisions.map((d) => [d.decision, d.group])).toEqual([
      ['blocked', 'authors@example.com'],
      ['blocked', 'readers@example.com'],
    ]);
  });

  it('off (the default): listed for the operator, nothing to queue', () => {
    for (const groupWrite of [undefined, false]) {
      const p = plan([idle], groupWrite === undefined ? {} : { groupWrite });
      expect(p.decisions.map((d) => d.decision)).toEqual(['ends_with_group']);
      expect(p.decisions[0]?.leaveGroups).toEqual(GROUPS);
      expect(p.decisions[0]?.group).toBeUndefined();
    }
  });

  it('on: a leaver (no group to leave) and a CSV-listed member stay ends_with_group', () => {
    const leaver = plan([{ email: ann, source: 'group_removal', since: '2026-12-06T00:00:00Z' }], {
      groupWrite: true,
      members: false,
    });
    expect(leaver.decisions.map((d) => d.decision)).toEqual(['ends_with_group']);
    expect(leaver.decisions[0]?.seatEndsOn).toBe('2027-01-01');
    const listed = plan([{ email: ann, source: 'csv', detail: 'CSV line 2' }], {
      groupWrite: true,
    });
    expect(listed.decisions.map((d) => d.decision)).toEqual(['ends_with_group']);
  });

  it('leaveGroupDecisions: only with the switch on, for an idle user, per listed group', () => {
    const outcome = { decision: 'ends_with_group' as const, reason: 'r', leaveGroups: GROUPS };
    const on = { groupWrite: true, idle: true, email: ann };
    expect(leaveGroupDecisions(outcome, on).map((l) => l.group)).toEqual(GROUPS);
    expect(leaveGroupDecisions(outcome, { ...on, groupWrite: false })).toEqual([]);
    expect(leaveGroupDecisions(outcome, { ...on, idle: false })).toEqual([]);
    expect(leaveGroupDecisions({ decision: 'ends_with_group', reason: 'r' }, on)).toEqual([]);
    expect(leaveGroupDecisions({ ...outcome, decision: 'invalid' }, on)).toEqual([]);
  });

  it('the guard window keys a group removal by person and group, a deletion by its user', () => {
    const p = plan([idle], { groupWrite: true });
    const keys = p.decisions.map(guardedWriteKey);
    expect(keys).toEqual([`${ann}#authors@example.com`, `${ann}#readers@example.com`]);
    const { decisions, blocked } = applyWindow(p.decisions, 1, { used: 9, limit: 10, hours: 24 });
    expect(blocked).toBe(1);
    expect(decisions.map((d) => [d.decision, d.group, d.windowBlocked])).toEqual([
      ['leave_group', 'authors@example.com', undefined],
      ['blocked', 'readers@example.com', true],
    ]);
  });

  it('a leave_group decision becomes a leave_group task under its own id', () => {
    const [d] = plan([idle], { groupWrite: true }).decisions;
    if (!d?.quickSightUser) throw new Error('no decision');
    const id = taskIdOfDecision('default', d, d.quickSightUser);
    expect(id).toBe(groupTaskIdFor('default', ann, 'authors@example.com'));
    expect(id).toBe(`default#group#${ann}#authors@example.com`);
    expect(taskOfDecision(d, d.quickSightUser, id, 'run-1')).toMatchObject({
      taskId: id,
      action: 'leave_group',
      group: 'authors@example.com',
      identityType: 'IAM_IDENTITY_CENTER',
      source: 'inactive',
    });
  });
});
