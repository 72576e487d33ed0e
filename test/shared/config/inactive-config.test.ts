import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config/index.js';
import { ConfigError } from '../../../shared/errors.js';

function errorOf(f: () => unknown): ConfigError {
  try {
    f();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('inactive configuration', () => {
  it('defaults to 60 days and the Reader roles', () => {
    expect(loadConfig(['inactive'], {}).inactive).toEqual({
      days: 60,
      roles: ['READER', 'READER_PRO'],
      keepGroups: [],
      approvalDays: 7,
    });
  });

  it('reads the days and upper-cases the roles', () => {
    const c = loadConfig(['inactive'], {
      IDSYNC_INACTIVE_DAYS: '45',
      IDSYNC_INACTIVE_ROLES: ' reader , restricted_reader ',
    });
    expect(c.inactive).toEqual({
      days: 45,
      roles: ['READER', 'RESTRICTED_READER'],
      keepGroups: [],
      approvalDays: 7,
    });
  });

  it('reads the review approval days: whole days from 1 to 30', () => {
    expect(
      loadConfig(['inactive'], { IDSYNC_REVIEW_APPROVAL_DAYS: '1' }).inactive.approvalDays,
    ).toBe(1);
    expect(
      loadConfig(['inactive'], { IDSYNC_REVIEW_APPROVAL_DAYS: '30' }).inactive.approvalDays,
    ).toBe(30);
    for (const bad of ['0', '31', '2.5', 'seven'])
      expect(() => loadConfig(['inactive'], { IDSYNC_REVIEW_APPROVAL_DAYS: bad })).toThrow(
        /IDSYNC_REVIEW_APPROVAL_DAYS/,
      );
  });

  it('reads the keep groups, lower-cased; blank means none', () => {
    const c = loadConfig(['inactive'], {
      IDSYNC_INACTIVE_KEEP_GROUPS: ' Mailed-Reports@Example.com , board@example.com ,',
    });
    expect(c.inactive.keepGroups).toEqual(['mailed-reports@example.com', 'board@example.com']);
    expect(
      loadConfig(['inactive'], { IDSYNC_INACTIVE_KEEP_GROUPS: ' ' }).inactive.keepGroups,
    ).toEqual([]);
  });

  it.each([
    ['IDSYNC_INACTIVE_ROLES', 'READER,REEDER', /each entry must be one of ADMIN/],
    ['IDSYNC_INACTIVE_ROLES', ',', /at least one role/],
    ['IDSYNC_INACTIVE_DAYS', '0', /from 1 to 90/],
    ['IDSYNC_INACTIVE_DAYS', '91', /from 1 to 90/],
    ['IDSYNC_INACTIVE_DAYS', '7.5', /whole number/],
    ['IDSYNC_INACTIVE_KEEP_GROUPS', 'mailed-reports', /each entry must be an email address/],
    ['IDSYNC_INACTIVE_KEEP_GROUPS', 'a@x.com;b@x.com', /each entry must be an email address/],
  ])('refuses %s=%j, naming the variable', (name, value, message) => {
    const error = errorOf(() => loadConfig(['inactive'], { [name]: value }));
    expect(error.variable).toBe(name);
    expect(error.message).toMatch(message);
  });
});
