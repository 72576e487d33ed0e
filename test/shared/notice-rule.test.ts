import { describe, expect, it } from 'vitest';
import { COALESCE_MS } from '../../shared/activity-record.js';
import { type NoticeRecord, noticeAllowsDeletion, removalDate } from '../../shared/notice-rule.js';

/** The notice rule's boundaries (shared/notice-rule.ts `noticeAllowsDeletion`). */

const DAY = 86_400_000;
const SENT = Date.parse('2026-11-01T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const sent = (over: Partial<NoticeRecord> = {}) =>
  ({ state: 'sent', sentAt: iso(SENT), userName: 'r/a@x.com', ...over }) as const;
const LONG_AGO = iso(SENT - 70 * DAY);

describe('noticeAllowsDeletion', () => {
  it('no notice: not deleted', () => {
    expect(noticeAllowsDeletion(undefined, LONG_AGO, new Date(SENT + 99 * DAY), 14)).toMatchObject({
      allowed: false,
      why: 'none',
    });
  });

  it('exactly the notice days after the send: allowed; one ms earlier: too young', () => {
    expect(noticeAllowsDeletion(sent(), LONG_AGO, new Date(SENT + 14 * DAY), 14)).toEqual({
      allowed: true,
    });
    expect(noticeAllowsDeletion(sent(), LONG_AGO, new Date(SENT + 14 * DAY - 1), 14)).toMatchObject(
      { allowed: false, why: 'young' },
    );
  });

  it('notice days 0: allowed at once', () => {
    expect(noticeAllowsDeletion(sent(), LONG_AGO, new Date(SENT), 0)).toEqual({ allowed: true });
  });

  it('activity stored up to COALESCE_MS before the send counts as after it (in doubt, active); one ms earlier does not', () => {
    const at = (ms: number) => noticeAllowsDeletion(sent(), iso(ms), new Date(SENT + 30 * DAY), 14);
    expect(at(SENT - COALESCE_MS)).toMatchObject({ allowed: false, why: 'active' });
    expect(at(SENT + DAY)).toMatchObject({ allowed: false, why: 'active' });
    expect(at(SENT - COALESCE_MS - 1)).toEqual({ allowed: true });
  });

  it('no recorded activity and old enough: allowed', () => {
    expect(noticeAllowsDeletion(sent(), undefined, new Date(SENT + 14 * DAY), 14)).toEqual({
      allowed: true,
    });
  });

  it.each([
    ['sending', 'sending'],
    ['refused', 'refused'],
    ['closed', 'closed'],
  ] as const)('state %s: never deleted, however old', (state, why) => {
    const verdict = noticeAllowsDeletion(sent({ state }), LONG_AGO, new Date(SENT + 365 * DAY), 14);
    expect(verdict).toMatchObject({ allowed: false, why });
  });

  it('a sending notice names the exact command that resolves it', () => {
    const verdict = noticeAllowsDeletion(sent({ state: 'sending' }), LONG_AGO, new Date(), 14);
    expect(verdict.allowed === false && verdict.reason).toContain(
      'idsync notices resolve r/a@x.com --sent',
    );
  });

  it('a sent notice without a readable send time is treated as possibly unsent', () => {
    expect(
      noticeAllowsDeletion(sent({ sentAt: 'garbage' }), LONG_AGO, new Date(SENT + 99 * DAY), 14),
    ).toMatchObject({ allowed: false, why: 'sending' });
  });

  it('removalDate is the send time plus the notice days', () => {
    expect(removalDate(iso(SENT), 14)).toBe(iso(SENT + 14 * DAY));
  });
});
