import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decisionRefusal,
  isReaderRole,
  type ReviewStatus,
  reviewDeadline,
} from '../../shared/review.js';

const created = new Date('2026-12-01T09:00:00.000Z');
const deadline = reviewDeadline(created, 7);
const awaiting = {
  runId: 'r1',
  status: 'AWAITING' as ReviewStatus,
  deadline: deadline.toISOString(),
};
const at = (ms: number) => new Date(deadline.getTime() + ms);

describe('the review rules', () => {
  it('sets the deadline the approval days after the start', () => {
    expect(deadline.toISOString()).toBe('2026-12-08T09:00:00.000Z');
  });

  it('approves and rejects up to the last millisecond before the deadline, expires from it on', () => {
    expect(decisionRefusal(awaiting, 'approve', at(-1))).toBeUndefined();
    expect(decisionRefusal(awaiting, 'reject', at(-1))).toBeUndefined();
    expect(decisionRefusal(awaiting, 'expire', at(-1))).toMatch(
      /open until 2026-12-08T09:00:00.000Z/,
    );
    expect(decisionRefusal(awaiting, 'approve', at(0))).toMatch(/passed its deadline/);
    expect(decisionRefusal(awaiting, 'reject', at(0))).toMatch(/passed its deadline/);
    expect(decisionRefusal(awaiting, 'expire', at(0))).toBeUndefined();
  });

  it('lets a decision made already go on (a rerun), and refuses any other once decided', () => {
    const approved = { ...awaiting, status: 'APPROVED' as ReviewStatus };
    expect(decisionRefusal(approved, 'approve', at(1))).toBeUndefined();
    expect(decisionRefusal(approved, 'reject', at(-1))).toMatch(
      /is APPROVED, not AWAITING: it cannot be rejected/,
    );
    expect(decisionRefusal(approved, 'expire', at(1))).toMatch(/cannot be expired/);
    for (const status of ['REJECTED', 'EXPIRED', 'DONE', 'STOPPED', 'PLANNING'] as const)
      expect(decisionRefusal({ ...awaiting, status }, 'approve', at(-1))).toMatch(/not AWAITING/);
  });

  it('allows exactly one of approve and expire at any time while the review waits', () => {
    fc.assert(
      fc.property(fc.integer({ min: -30 * 86_400_000, max: 30 * 86_400_000 }), (ms) => {
        const approve = decisionRefusal(awaiting, 'approve', at(ms)) === undefined;
        const expire = decisionRefusal(awaiting, 'expire', at(ms)) === undefined;
        expect(approve).not.toBe(expire);
      }),
    );
  });

  it('tells Reader roles apart', () => {
    expect(['READER', 'reader_pro', 'AUTHOR', 'ADMIN'].map(isReaderRole)).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});
