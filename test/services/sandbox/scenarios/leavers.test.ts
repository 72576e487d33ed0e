import { describe, expect, it } from 'vitest';
import { pickLeavers } from '../../../../services/sandbox/scenarios/leavers.js';
import { demoOrg, smallOrg } from '../../../../services/sandbox/scenarios/org.js';
import { removeFromGroups } from '../../../../services/sandbox/sync-simulator.js';

describe('pickLeavers', () => {
  const org = demoOrg();

  it('picks 40 people: 36 with one Reader user, 3 Authors, 1 protected', () => {
    const leavers = pickLeavers(org, { count: 40, includeAuthors: 3, includeProtected: 1 });
    expect(leavers.emails).toHaveLength(40);
    expect(new Set(leavers.emails).size).toBe(40);
    expect(leavers.ordinary).toHaveLength(36);
    for (const p of leavers.ordinary) {
      expect(p.quickSightUsers.map((u) => u.role)).toEqual(['READER']);
      expect(p.protected).toBe(false);
    }
    expect(leavers.authors).toHaveLength(3);
    for (const p of leavers.authors)
      expect(p.quickSightUsers.map((u) => u.role)).toEqual(['AUTHOR']);
    expect(leavers.protected).toHaveLength(1);
    expect(org.protectedEmails).toContain(leavers.protected[0]?.email);
  });

  it('is deterministic by seed', () => {
    const a = pickLeavers(org, { count: 900, seed: 5 });
    expect(pickLeavers(org, { count: 900, seed: 5 }).emails).toEqual(a.emails);
    expect(pickLeavers(org, { count: 900, seed: 6 }).emails).not.toEqual(a.emails);
  });

  it('honours a filter and only picks current members', () => {
    const small = smallOrg();
    const analysts = pickLeavers(small, {
      count: 3,
      filter: (p) => p.kind === 'analyst' || p.kind === 'analyst-and-reader',
    });
    for (const p of analysts.ordinary) expect(p.kind.startsWith('analyst')).toBe(true);
    removeFromGroups(small, analysts.emails, { random: () => 0.5 });
    const again = pickLeavers(small, { count: 5, filter: (p) => p.kind.startsWith('analyst') });
    for (const email of analysts.emails) expect(again.emails).not.toContain(email);
  });

  it('says when the organisation has too few people of a kind', () => {
    const small = smallOrg();
    expect(() => pickLeavers(small, { count: 5, includeAuthors: 3 })).toThrow(/authors/);
    expect(() => pickLeavers(small, { count: 2, includeProtected: 3 })).toThrow(RangeError);
    expect(() => pickLeavers(small, { count: 500 })).toThrow(/ordinary leavers/);
  });
});
