import { describe, expect, it } from 'vitest';
import {
  joinGroup,
  leaveGroups,
} from '../../../../services/sandbox/control/membership-controls.js';
import { runSync } from '../../../../services/sandbox/control/sync-control.js';
import { personOf, testWorld, trail } from './world-fixture.js';

describe('sync control (the SCIM sync, now)', () => {
  it('deletes the IdC users of people in no configured group, creates new members', () => {
    const world = testWorld();
    const leaver = personOf(world, 'reader');
    const handMade = personOf(world, 'idc-only');
    leaveGroups(world, { email: leaver.email });
    joinGroup(world, { email: 'nora.quinn@example.com', group: 'quicksight-readers' });
    const result = runSync(world);
    expect(result.deleted).toEqual([{ userId: leaver.idcUserId, userName: leaver.email }]);
    expect(result.created.map((u) => u.userName)).toEqual(['nora.quinn@example.com']);
    expect(world.org.identityStore.findByUserName(leaver.email)).toBeUndefined();
    expect(world.org.identityStore.findByUserName(handMade.email)).toBeDefined();
    expect(world.org.identityStore.findByUserName('nora.quinn@example.com')).toBeDefined();
    expect(result.summary).toEqual([
      `sync: 1 IdC user deleted (${leaver.email}), 1 created (nora.quinn@example.com)`,
    ]);
  });

  it('returns EventBridge envelopes at the time of the calls and adds their records to CloudTrail', () => {
    const world = testWorld();
    const leaver = personOf(world, 'reader');
    leaveGroups(world, { email: leaver.email });
    const { events } = runSync(world);
    expect(events).toHaveLength(1);
    const [envelope] = events;
    expect(envelope).toMatchObject({
      source: 'aws.identitystore-scim',
      'detail-type': 'AWS API Call via CloudTrail',
      account: world.org.accountId,
      detail: {
        eventName: 'DeleteUser',
        eventTime: '2026-12-07T10:00:00Z',
        requestParameters: { id: leaver.idcUserId },
      },
    });
    expect(trail(world).map((r) => r.eventID)).toEqual([envelope?.detail.eventID]);
    // Nothing more to do: a second sync changes nothing and writes no event.
    const again = runSync(world);
    expect(again.events).toEqual([]);
    expect(again.summary).toEqual(['sync: 0 IdC users deleted, 0 created']);
  });

  it('names at most five users in its line; the answer lists them all', () => {
    const world = testWorld();
    const leavers = world.org.people.filter((p) => p.kind === 'reader').slice(0, 7);
    for (const p of leavers) leaveGroups(world, { email: p.email });
    const result = runSync(world);
    expect(result.deleted).toHaveLength(7);
    const shown = leavers.slice(0, 5).map((p) => p.email);
    expect(result.summary).toEqual([
      `sync: 7 IdC users deleted (${shown.join(', ')} and 2 more), 0 created`,
    ]);
  });
});
