import { describe, expect, it } from 'vitest';
import type { Attribution } from '../../../services/activity/attribution.js';
import { deltasOf, userDirectory } from '../../../services/activity/resolve-users.js';
import type { IdentityRecord, QuickSightUser } from '../../../shared/domain.js';

const ROLE = 'AWSReservedSSO_QuickSightReader_0123456789abcdef';
const user = (userName: string, extra: Partial<QuickSightUser> = {}): QuickSightUser => ({
  userName,
  role: 'READER',
  identityType: 'IAM',
  arn: `arn:aws:quicksight:us-east-1:123456789012:user/default/${userName}`,
  ...extra,
});
const users = [
  user(`${ROLE}/Alice@Example.com`, { email: 'alice@example.com' }),
  user('alice', { email: 'ALICE@example.com', identityType: 'QUICKSIGHT' }),
  user('N/A', {
    email: 'bob@example.com',
    identityType: 'IAM_IDENTITY_CENTER',
    principalId: 'user/d-1/u-bob',
  }),
];
const identities = {
  calls: 0,
  async get(id: string): Promise<IdentityRecord | undefined> {
    this.calls++;
    if (id !== 'u-alice') return undefined;
    return { userId: id, emails: ['ａｌｉｃｅ@example.com'] } as unknown as IdentityRecord;
  },
};

describe('userDirectory', () => {
  it('resolves an IdC user id through the identity map to every QuickSight user of the person', async () => {
    const dir = userDirectory(identities, users, 'default');
    const found = await dir.usersOfIdcUser('u-alice');
    expect(found.map((u) => u.userName).sort()).toEqual(
      [`${ROLE}/Alice@Example.com`, 'alice'].sort(),
    );
    await dir.usersOfIdcUser('u-alice');
    expect(identities.calls).toBe(1);
  });

  it('finds an IAM Identity Center user by its principal id, keyed as the record keys N/A users', async () => {
    const dir = userDirectory(identities, users, 'default');
    expect(await dir.usersOfIdcUser('u-bob')).toEqual([
      { namespace: 'default', userName: 'N/A#user/d-1/u-bob' },
    ]);
    expect(await dir.usersOfIdcUser('u-nobody')).toEqual([]);
    expect(dir.isKnownUserName(`${ROLE.toLowerCase()}/alice@example.com`)).toBe(true);
  });
});

describe('deltasOf', () => {
  it('folds a page into one delta per user; creation is not activity; unresolved counted', async () => {
    const a = (at: string, evidence: 'activity' | 'creation' = 'activity'): Attribution => ({
      kind: 'user',
      evidence,
      user: { namespace: 'default', userName: 'Reader/x@example.com' },
      eventName: evidence === 'creation' ? 'RegisterUser' : 'GetDashboard',
      at,
      eventId: at,
    });
    const page: Attribution[] = [
      a('2026-09-03T00:00:00.000Z'),
      a('2026-09-01T00:00:00.000Z'),
      a('2026-08-01T00:00:00.000Z', 'creation'),
      {
        kind: 'on-behalf-of',
        evidence: 'activity',
        idcUserId: 'u-nobody',
        eventName: 'GetDashboard',
        at: '2026-09-02T00:00:00.000Z',
        eventId: 'o',
      },
      { kind: 'ignored', reason: 'failed call', eventId: 'i' },
    ];
    const out = await deltasOf(page, 'cloudtrail', { usersOfIdcUser: async () => [] });
    expect(out.attributed).toBe(3);
    expect(out.unresolved).toBe(1);
    expect(out.deltas).toHaveLength(1);
    expect(out.deltas[0]).toMatchObject({
      newest: { at: '2026-09-03T00:00:00.000Z' },
      oldest: { at: '2026-09-01T00:00:00.000Z' },
      created: { at: '2026-08-01T00:00:00.000Z' },
      spans: { cloudtrail: { from: '2026-09-01T00:00:00.000Z', to: '2026-09-03T00:00:00.000Z' } },
    });
  });
});

describe('deltasOf: unresolved on-behalf-of events are pending, not nobody', () => {
  const obo = (
    id: string,
    at: string,
    evidence: 'activity' | 'creation' = 'activity',
  ): Attribution => ({
    kind: 'on-behalf-of',
    evidence,
    idcUserId: id,
    eventName: evidence === 'creation' ? 'CreateUser' : 'GetDashboard',
    at,
    eventId: `${id}${at}`,
  });

  it('folds them per IdC user: newest, oldest, creation and a count', async () => {
    const out = await deltasOf(
      [
        obo('u-new', '2026-09-02T00:00:00.000Z'),
        obo('u-new', '2026-09-05T00:00:00.000Z'),
        obo('u-new', '2026-09-01T00:00:00.000Z', 'creation'),
        obo('u-other', '2026-09-03T00:00:00.000Z'),
        obo('u-alice', '2026-09-04T00:00:00.000Z'),
      ],
      'cloudtrail',
      userDirectory(identities, users, 'default'),
    );
    expect(out.unresolved).toBe(4);
    expect(out.attributed).toBe(1);
    expect(out.pending).toEqual([
      {
        idcUserId: 'u-new',
        newest: { at: '2026-09-05T00:00:00.000Z', eventName: 'GetDashboard', source: 'cloudtrail' },
        oldest: { at: '2026-09-02T00:00:00.000Z', eventName: 'GetDashboard', source: 'cloudtrail' },
        created: { at: '2026-09-01T00:00:00.000Z', eventName: 'CreateUser' },
        events: 3,
      },
      {
        idcUserId: 'u-other',
        newest: { at: '2026-09-03T00:00:00.000Z', eventName: 'GetDashboard', source: 'cloudtrail' },
        events: 1,
      },
    ]);
  });

  it('a resolved page holds nothing pending', async () => {
    const out = await deltasOf([obo('u-alice', '2026-09-04T00:00:00.000Z')], 'live', {
      usersOfIdcUser: async () => [{ namespace: 'default', userName: 'alice' }],
    });
    expect(out.pending).toEqual([]);
    expect(out.deltas).toHaveLength(1);
  });
});
