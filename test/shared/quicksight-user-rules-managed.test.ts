import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findLeavers } from '../../services/removals/plan/plan-removals.js';
import { isManaged, isManagedByPrefix } from '../../shared/quicksight-user-rules.js';
import { iamUser, READER_ROLE_NAME } from '../services/removals/plan/builders.js';

const user = iamUser(READER_ROLE_NAME, 'pat@example.com');

describe('who idsync manages', () => {
  it('a person the ledger knows is managed; a stranger is not', () => {
    const rule = { people: new Set(['pat@example.com']) };
    expect(isManaged(user, rule)).toBe(true);
    expect(isManaged(iamUser(READER_ROLE_NAME, 'sam@example.com'), rule)).toBe(false);
  });

  it('by prefix: the prefix itself and anything under it; one character less is not', () => {
    const prefix = `${READER_ROLE_NAME}/pat`;
    expect(isManagedByPrefix(`${READER_ROLE_NAME}/pat`, prefix)).toBe(true);
    expect(isManagedByPrefix(user.userName, prefix)).toBe(true);
    expect(isManagedByPrefix(`${READER_ROLE_NAME}/pa`, prefix)).toBe(false);
    expect(isManagedByPrefix(user.userName, `${prefix}x`)).toBe(false);
    expect(isManaged(user, { people: new Set(), usernamePrefix: prefix })).toBe(true);
  });

  it('an empty or absent prefix manages nobody', () => {
    fc.assert(
      fc.property(fc.string(), (userName) => {
        expect(isManagedByPrefix(userName, '')).toBe(false);
        expect(isManagedByPrefix(userName, undefined)).toBe(false);
      }),
    );
    expect(isManaged(user, { people: new Set(), usernamePrefix: '' })).toBe(false);
  });

  it('leavers and idle users follow the same rule: an empty prefix adds no leaver', () => {
    const leavers = findLeavers({
      ledger: [],
      currentMembers: new Set(),
      quickSightUsers: [user],
      managedUsernamePrefix: '',
    });
    expect(leavers).toEqual([]);
  });
});
