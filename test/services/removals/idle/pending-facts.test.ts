import { describe, expect, it } from 'vitest';
import type { JudgedUser } from '../../../../services/removals/idle/inactive-removals.js';
import { pendingCoverageOf } from '../../../../services/removals/idle/pending-facts.js';
import type { IdentityRecord, QuickSightUser } from '../../../../shared/domain.js';

const user = (userName: string, email: string, principalId?: string): QuickSightUser => ({
  userName,
  email,
  role: 'READER',
  identityType: 'IAM_IDENTITY_CENTER',
  arn: `arn:aws:quicksight:us-east-1:123456789012:user/default/${userName}`,
  ...(principalId ? { principalId } : {}),
});
const a = user('a@example.com', 'a@example.com', 'user/d-1/u-a');
const b = user('b@example.com', 'b@example.com');
const c = user('c@example.com', 'c@example.com', 'user/d-1/u-unknown');
const judged = (u: QuickSightUser) => ({ userName: u.userName }) as JudgedUser;
const identities = {
  async get(id: string) {
    return id === 'u-a' ? ({ userId: 'u-a' } as IdentityRecord) : undefined;
  },
  async findByEmail(email: string) {
    return email === 'b@example.com' ? [{ userId: 'u-b' } as IdentityRecord] : [];
  },
};
const window = { from: '2026-10-01T00:00:00.000Z', to: '2026-11-30T00:00:00.000Z' };
const pending = [
  {
    idcUserId: 'u-new',
    newest: {
      at: '2026-11-25T00:00:00.000Z',
      eventName: 'GetDashboard',
      source: 'cloudtrail' as const,
    },
    events: 4,
  },
];

describe('pendingCoverageOf', () => {
  it('nothing pending: no check at all', async () => {
    expect(await pendingCoverageOf([], [judged(a)], [a], identities)).toBeUndefined();
  });

  it('counts the pending events only against users the identity map cannot tell apart', async () => {
    const of = await pendingCoverageOf(pending, [a, b, c].map(judged), [a, b, c], identities);
    expect(of?.(a, window)).toBe(0); // principal of a known IdC user
    expect(of?.(b, window)).toBe(0); // email of a known IdC user
    expect(of?.(c, window)).toBe(4); // principal id unknown to the map, email unknown
  });
});
