import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GROUP_ROLES,
  type GroupRole,
  parseGroupRoles,
  roleChangeKind,
  targetRoleOf,
} from '../../shared/group-roles.js';

const map = (text: string) => {
  const parsed = parseGroupRoles(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.map;
};

describe('parseGroupRoles', () => {
  it('reads GROUP=ROLE entries: group emails normalised, roles any case', () => {
    const m = map(' Authors@Example.com = author , readers@example.com=READER_pro ');
    expect([...m.entries()]).toEqual([
      ['authors@example.com', 'AUTHOR'],
      ['readers@example.com', 'READER_PRO'],
    ]);
  });

  it.each([
    ['', 'is empty'],
    [' , ', 'is empty'],
    ['a@example.com=READER,', 'has an empty entry'],
    ['a@example.com', 'is not GROUP=ROLE'],
    ['not-an-email=READER', 'is not an email address'],
    ['a@example.com=VIEWER', 'role "VIEWER" of a@example.com is not one of READER'],
    ['a@example.com=RESTRICTED_READER', 'is not one of'],
    ['a@example.com=READER,A@example.com=AUTHOR', 'group a@example.com is mapped twice'],
  ])('refuses %j (%s)', (text, message) => {
    const parsed = parseGroupRoles(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toContain(message);
  });
});

describe('targetRoleOf: the broadest role of the mapped groups a person is in', () => {
  const m = map(
    'readers@x.com=READER,rpro@x.com=READER_PRO,authors@x.com=AUTHOR,apro@x.com=AUTHOR_PRO,admins@x.com=ADMIN,adpro@x.com=ADMIN_PRO,more-readers@x.com=READER',
  );

  it('no mapped group: no target role (the role is left alone)', () => {
    expect(targetRoleOf([], m)).toBeUndefined();
    expect(targetRoleOf(['other@x.com'], m)).toBeUndefined();
  });

  it('one group: its role; groups compared as normalised emails', () => {
    expect(targetRoleOf(['Readers@X.com'], m)).toEqual({
      role: 'READER',
      groups: ['readers@x.com'],
    });
  });

  it('each neighbouring pair of the order: the broader wins, whatever the order of the groups', () => {
    const groupOf: Record<GroupRole, string> = {
      READER: 'readers@x.com',
      READER_PRO: 'rpro@x.com',
      AUTHOR: 'authors@x.com',
      AUTHOR_PRO: 'apro@x.com',
      ADMIN: 'admins@x.com',
      ADMIN_PRO: 'adpro@x.com',
    };
    for (let i = 1; i < GROUP_ROLES.length; i++) {
      const lo = GROUP_ROLES[i - 1] as GroupRole;
      const hi = GROUP_ROLES[i] as GroupRole;
      expect(targetRoleOf([groupOf[lo], groupOf[hi]], m)?.role).toBe(hi);
      expect(targetRoleOf([groupOf[hi], groupOf[lo]], m)?.role).toBe(hi);
    }
  });

  it('two groups granting the same role are both named', () => {
    expect(targetRoleOf(['more-readers@x.com', 'readers@x.com', 'other@x.com'], m)).toEqual({
      role: 'READER',
      groups: ['more-readers@x.com', 'readers@x.com'],
    });
  });

  it('property: the target is one of the mapped roles, none broader, independent of order', () => {
    const groups = [...m.keys(), 'other@x.com'];
    fc.assert(
      fc.property(fc.subarray(groups), fc.func(fc.integer()), (chosen, key) => {
        const target = targetRoleOf(chosen, m);
        const roles = chosen.flatMap((g) => (m.has(g) ? [m.get(g) as GroupRole] : []));
        if (roles.length === 0) return target === undefined;
        const shuffled = [...chosen].sort((a, b) => key(a) - key(b));
        return (
          target !== undefined &&
          roles.includes(target.role) &&
          roles.every((r) => GROUP_ROLES.indexOf(r) <= GROUP_ROLES.indexOf(target.role)) &&
          targetRoleOf(shuffled, m)?.role === target.role
        );
      }),
    );
  });
});

describe('roleChangeKind', () => {
  it('upgrade, downgrade, or nothing at the same role', () => {
    expect(roleChangeKind('READER', 'AUTHOR')).toBe('upgrade');
    expect(roleChangeKind('AUTHOR', 'READER')).toBe('downgrade');
    expect(roleChangeKind('reader', 'READER')).toBeUndefined();
    expect(roleChangeKind('AUTHOR', 'READER_PRO')).toBe('downgrade');
    expect(roleChangeKind('READER_PRO', 'AUTHOR')).toBe('upgrade');
    expect(roleChangeKind('ADMIN', 'ADMIN_PRO')).toBe('upgrade');
  });

  it('a role outside the order (restricted, unknown) is never changed', () => {
    expect(roleChangeKind('RESTRICTED_READER', 'AUTHOR')).toBeUndefined();
    expect(roleChangeKind('UNKNOWN', 'READER')).toBeUndefined();
  });
});
