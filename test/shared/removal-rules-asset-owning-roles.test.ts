import { describe, expect, it } from 'vitest';
import {
  canOwnAssets,
  mayStillOwnAssets,
  needsHandover,
  OWNING_ROLES,
} from '../../shared/removal-rules.js';

describe('canOwnAssets', () => {
  it('is true for the owning roles in any case, false for Readers and unknown roles', () => {
    for (const role of OWNING_ROLES) expect(canOwnAssets(role.toLowerCase())).toBe(true);
    for (const role of ['READER', 'READER_PRO', 'reader', '', 'AUTHORS', undefined])
      expect(canOwnAssets(role)).toBe(false);
  });
});

describe('needsHandover', () => {
  it('a deletion needs it exactly when the role can own (a task without an action is a deletion)', () => {
    expect(needsHandover({ role: 'AUTHOR' })).toBe(true);
    expect(needsHandover({ action: 'delete', role: 'ADMIN_PRO' })).toBe(true);
    expect(needsHandover({ action: 'delete', role: 'READER' })).toBe(false);
  });

  it('a role change needs it only from an owning role to one that cannot own', () => {
    expect(needsHandover({ action: 'change_role', role: 'AUTHOR', targetRole: 'READER' })).toBe(
      true,
    );
    expect(needsHandover({ action: 'change_role', role: 'AUTHOR', targetRole: 'ADMIN' })).toBe(
      false,
    );
    expect(needsHandover({ action: 'change_role', role: 'READER', targetRole: 'AUTHOR' })).toBe(
      false,
    );
    expect(
      needsHandover({ action: 'change_role', role: 'AUTHOR_PRO', targetRole: 'READER_PRO' }),
    ).toBe(true);
  });

  it('a group removal never does (no QuickSight user write)', () => {
    expect(needsHandover({ action: 'leave_group', role: 'AUTHOR' })).toBe(false);
  });
});

describe('mayStillOwnAssets', () => {
  it('a deletion of a Reader the record shows authoring', () => {
    expect(mayStillOwnAssets({ role: 'READER' }, { authored: { at: 'x' } })).toBe(true);
    expect(mayStillOwnAssets({ role: 'READER' }, {})).toBe(false);
    expect(mayStillOwnAssets({ role: 'READER' }, undefined)).toBe(false);
  });

  it('not for a role that can own (needsHandover covers it) nor for other actions', () => {
    expect(mayStillOwnAssets({ role: 'AUTHOR' }, { authored: {} })).toBe(false);
    expect(
      mayStillOwnAssets(
        { action: 'change_role', role: 'READER', targetRole: 'AUTHOR' },
        { authored: {} },
      ),
    ).toBe(false);
    expect(mayStillOwnAssets({ action: 'leave_group', role: 'READER' }, { authored: {} })).toBe(
      false,
    );
  });
});
