import { describe, expect, it } from 'vitest';
import { runFirstOfMonth } from '../../../services/sandbox/identity-center-seats.js';
import { ASSET_TYPE_SPECS } from '../../../services/sandbox/quicksight/asset-types.js';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import { mulberry32 } from '../../../services/sandbox/scenarios/random.js';
import {
  applyMembershipChange,
  removeFromGroups,
} from '../../../services/sandbox/sync-simulator.js';

/**
 * QuickSight following IAM Identity Center in the sandbox (services/sandbox/identity-center-seats.ts):
 * a Google removal, carried by the sync to IdC, turns the person's IAM_IDENTITY_CENTER user
 * inactive; "the 1st of the month" removes it without a DeleteUser.
 */

const NOW = new Date('2026-12-07T09:00:00.000Z');

describe('IAM_IDENTITY_CENTER seats follow the groups', () => {
  it('a leaver’s IdC-native user turns inactive at the sync and is removed on the 1st, with no DeleteUser', () => {
    const org = smallOrg();
    const person = org.people.find(
      (p) => p.kind === 'identity-center' && p.quickSightUsers[0]?.userName !== 'N/A',
    );
    const user = person?.quickSightUsers[0];
    if (!person || !user) throw new Error('no IdC-native reader in the org');
    const other = org.people.find((p) => p.kind === 'identity-center' && p !== person);
    org.quickSight.assets.add('dashboard', 'd1', 'Sales', [
      { principal: user.arn, actions: ASSET_TYPE_SPECS.dashboard.ownerActions },
    ]);

    removeFromGroups(org, [person.email], { now: NOW, random: mulberry32(1) });
    const listed = org.quickSight.list().find((u) => u.arn === user.arn);
    expect(listed?.active).toBe(false);
    // Others stay active; the user is still there until the 1st.
    const otherUser = other?.quickSightUsers[0];
    expect(org.quickSight.list().find((u) => u.arn === otherUser?.arn)?.active).toBe(true);

    const removed = runFirstOfMonth(org);
    expect(removed.map((u) => u.arn)).toEqual([user.arn]);
    expect(org.quickSight.list().some((u) => u.arn === user.arn)).toBe(false);
    expect(org.quickSight.deletes.size).toBe(0);
    expect(org.quickSight.expired.map((u) => u.arn)).toEqual([user.arn]);
    // As AWS does: what the user owned alone is left without an owner.
    expect(org.quickSight.assets.orphaned().map((a) => a.id)).toEqual(['d1']);
    expect(runFirstOfMonth(org)).toEqual([]);
  });

  it('a person who re-joins before the 1st is active again and keeps the seat', () => {
    const org = smallOrg();
    const person = org.people.find((p) => p.kind === 'identity-center');
    const user = person?.quickSightUsers[0];
    const group = person?.groups[0];
    if (!person || !user || !group) throw new Error('no IdC-native reader in the org');
    removeFromGroups(org, [person.email], { now: NOW, random: mulberry32(1) });
    expect(org.quickSight.list().find((u) => u.arn === user.arn)?.active).toBe(false);
    applyMembershipChange(
      org,
      { add: [{ group, email: person.email }] },
      { now: NOW, random: mulberry32(2) },
    );
    expect(org.quickSight.list().find((u) => u.arn === user.arn)?.active).toBe(true);
    expect(runFirstOfMonth(org)).toEqual([]);
  });
});
