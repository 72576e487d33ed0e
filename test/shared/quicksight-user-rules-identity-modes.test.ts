import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allowsUserWrites,
  identityModeOf,
  seatEndsOn,
  userWriteRefusal,
} from '../../shared/quicksight-user-rules.js';

describe('identity modes', () => {
  it('IAM and QUICKSIGHT take user writes; IAM_IDENTITY_CENTER follows its group', () => {
    expect(identityModeOf('IAM')).toBe('user_writes');
    expect(identityModeOf('QUICKSIGHT')).toBe('user_writes');
    expect(identityModeOf('IAM_IDENTITY_CENTER')).toBe('group');
    expect(allowsUserWrites('IAM_IDENTITY_CENTER')).toBe(false);
    expect(userWriteRefusal('IAM')).toBeUndefined();
    expect(userWriteRefusal('IAM_IDENTITY_CENTER')).toMatch(/refuses user writes/);
  });

  it('anything else is unknown and never written: case, spaces and empty included', () => {
    for (const odd of ['', 'iam', 'Iam', ' IAM', 'IAM ', 'UNKNOWN', 'iam_identity_center', 'SAML'])
      expect([odd, identityModeOf(odd), allowsUserWrites(odd)]).toEqual([odd, 'unknown', false]);
    expect(userWriteRefusal('SAML')).toBe('unknown identity type "SAML": never deleted');
    fc.assert(
      fc.property(fc.string(), (s) => {
        if (s === 'IAM' || s === 'QUICKSIGHT') return;
        expect(allowsUserWrites(s)).toBe(false);
      }),
    );
  });

  it('the seat ends on the 1st of the next month (UTC), across year and month ends', () => {
    expect(seatEndsOn(new Date('2026-12-07T10:00:00Z'))).toBe('2027-01-01');
    expect(seatEndsOn(new Date('2026-12-31T23:59:59.999Z'))).toBe('2027-01-01');
    expect(seatEndsOn(new Date('2027-01-01T00:00:00Z'))).toBe('2027-02-01');
    expect(seatEndsOn(new Date('2028-01-31T12:00:00Z'))).toBe('2028-02-01');
    expect(seatEndsOn(new Date('2028-02-29T12:00:00Z'))).toBe('2028-03-01');
    // 23:30 on the 30th in UTC-2 is already the 1st in UTC: the next month after that.
    expect(seatEndsOn(new Date('2026-11-30T23:30:00-02:00'))).toBe('2027-01-01');
    expect(seatEndsOn(new Date('nope'))).toBeUndefined();
  });

  it('the seat end is always a 1st, strictly after the leaving time, within 31 days', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
        (d) => {
          const day = seatEndsOn(d) ?? '';
          expect(day.endsWith('-01')).toBe(true);
          const end = Date.parse(`${day}T00:00:00Z`);
          expect(end).toBeGreaterThan(d.getTime());
          expect(end - d.getTime()).toBeLessThanOrEqual(31 * 86_400_000);
        },
      ),
    );
  });
});
