import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { joinGroup } from '../../../../services/sandbox/control/membership-controls.js';
import {
  addActivity,
  daysAgoArgument,
  eventArgument,
  registerNewUser,
} from '../../../../services/sandbox/control/quicksight-controls.js';
import { runSync } from '../../../../services/sandbox/control/sync-control.js';
import { WorldControlError } from '../../../../services/sandbox/control/world.js';
import { personOf, testWorld, trail } from './world-fixture.js';

describe('QuickSight controls', () => {
  it('activity: a call by the person’s user, N whole days ago, as CloudTrail records it', () => {
    const world = testWorld();
    const reader = personOf(world, 'reader');
    const user = reader.quickSightUsers[0];
    const result = addActivity(world, { email: reader.email, daysAgo: '3' });
    expect(result).toMatchObject({
      userName: user?.userName,
      eventName: 'GetDashboard',
      eventTime: '2026-12-04T10:00:00Z',
    });
    const [record] = trail(world);
    expect(record).toMatchObject({
      eventSource: 'quicksight.amazonaws.com',
      eventName: 'GetDashboard',
      eventTime: '2026-12-04T10:00:00Z',
      userIdentity: {
        type: 'AssumedRole',
        arn: `arn:aws:sts::${world.org.accountId}:assumed-role/${user?.userName}`,
      },
    });
  });

  it('activity: native and IAM Identity Center users are named as CloudTrail names them', () => {
    const world = testWorld();
    const native = personOf(world, 'native');
    addActivity(world, { email: native.email, event: 'ListDashboards' });
    const idc = personOf(world, 'identity-center', 1);
    addActivity(world, { email: idc.email });
    const records = trail(world);
    const identities = records.map((r) => r.userIdentity as Record<string, unknown>);
    expect(identities).toContainEqual(
      expect.objectContaining({ type: 'Unknown', userName: native.quickSightUsers[0]?.userName }),
    );
    expect(identities).toContainEqual(
      expect.objectContaining({
        type: 'IdentityCenterUser',
        onBehalfOf: expect.objectContaining({ userId: idc.idcUserId }),
      }),
    );
  });

  it('activity: several users need --role; no user, bad days or event names are refused', () => {
    const world = testWorld();
    const both = personOf(world, 'author-and-reader');
    expect(() => addActivity(world, { email: both.email })).toThrow(
      `${both.email} has 2 QuickSight users (AUTHOR, READER): pass --role`,
    );
    expect(addActivity(world, { email: both.email, role: 'author' }).role).toBe('AUTHOR');
    expect(() => addActivity(world, { email: both.email, role: 'admin' })).toThrow(
      /no QuickSight ADMIN user/,
    );
    const idcOnly = personOf(world, 'idc-only');
    expect(() => addActivity(world, { email: idcOnly.email })).toThrow(/has no QuickSight user/);
    expect(world.cloudTrail.size).toBe(1);
  });

  it('days ago: whole numbers 0 to 90 only; event: an API call name', () => {
    expect(daysAgoArgument(undefined)).toBe(0);
    expect(daysAgoArgument(90)).toBe(90);
    for (const bad of ['91', '-1', '1.5', '1e1', 'x', ' ', '0x1'])
      expect(() => daysAgoArgument(bad)).toThrow(/--days-ago must be a whole number from 0 to 90/);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer(), fc.double()), (raw) => {
        try {
          const n = daysAgoArgument(raw);
          expect(Number.isInteger(n) && n >= 0 && n <= 90).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(WorldControlError);
        }
      }),
    );
    expect(eventArgument(undefined)).toBe('GetDashboard');
    expect(eventArgument('DescribeDashboard')).toBe('DescribeDashboard');
    expect(() => eventArgument('get dashboard')).toThrow(/--event must name a QuickSight API call/);
  });

  it('new-user: first sign-in registers the user in the join role, with CreateUser by its session', () => {
    const world = testWorld();
    const email = 'nora.quinn@example.com';
    joinGroup(world, { email, group: 'quicksight-authors', role: 'AUTHOR' });
    expect(() => registerNewUser(world, { email })).toThrow(
      `${email} has no IdC user, so cannot sign in: join a group, then idsync sandbox sync`,
    );
    runSync(world);
    const result = registerNewUser(world, { email });
    const name = `${world.org.roles.author.name}/${email}`;
    expect(result).toMatchObject({ userName: name, role: 'AUTHOR', eventName: 'CreateUser' });
    expect(world.org.quickSight.get(name)).toMatchObject({
      role: 'AUTHOR',
      identityType: 'IAM',
      email,
    });
    const create = trail(world).find(
      (r) => r.eventName === 'CreateUser' && r.eventSource === 'quicksight.amazonaws.com',
    );
    expect(create?.userIdentity).toMatchObject({
      arn: `arn:aws:sts::${world.org.accountId}:assumed-role/${name}`,
    });
    expect(() => registerNewUser(world, { email })).toThrow(
      `${email} already has a QuickSight AUTHOR user (${name})`,
    );
    expect(registerNewUser(world, { email, role: 'reader' }).role).toBe('READER');
  });
});
