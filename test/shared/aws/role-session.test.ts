import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  currentRoleSessionName,
  nameRoleSessions,
  ROLE_SESSION_NAME_MAX,
  roleSessionName,
} from '../../../shared/aws/role-session.js';

/** STS's RoleSessionName: 2 to 64 of these characters. */
const STS_SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

describe('roleSessionName', () => {
  it('names idsync, the command and the run', () => {
    expect(roleSessionName('reconcile', '20261207T120000Z-ab12')).toBe(
      'idsync-reconcile-20261207T120000Z-ab12',
    );
    expect(roleSessionName('activity sync', '20261207T120000Z-ab12')).toBe(
      'idsync-activity-sync-20261207T120000Z-ab12',
    );
  });

  it('cuts a long command so the run id stays whole, at exactly 64 characters', () => {
    const name = roleSessionName('x'.repeat(100), '20261207T120000Z-ab12');
    expect(name).toHaveLength(ROLE_SESSION_NAME_MAX);
    expect(name.endsWith('-20261207T120000Z-ab12')).toBe(true);
  });

  it('replaces what STS refuses, and names an empty command `run`', () => {
    expect(roleSessionName(' é/ü ', 'r 1')).toBe('idsync-run-r-1');
    expect(roleSessionName('', '')).toBe('idsync-run-run');
  });

  it('always gives a name STS accepts, whatever the command and run id', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 200 }), (c, r) => {
        expect(roleSessionName(c, r)).toMatch(STS_SESSION_NAME);
      }),
    );
  });

  it('nameRoleSessions sets the name later AssumeRole calls read', () => {
    nameRoleSessions('plan', '20261207T000000Z-0000');
    expect(currentRoleSessionName()).toBe('idsync-plan-20261207T000000Z-0000');
    expect(nameRoleSessions('worker')).toMatch(/^idsync-worker-\d{8}T\d{6}Z-[0-9a-f]{4}$/);
  });
});
