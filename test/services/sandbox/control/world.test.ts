import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  configuredGroupsOf,
  emailArgument,
  groupArgument,
  knownPerson,
  quickSightUsersOf,
  roleArgument,
  WorldControlError,
} from '../../../../services/sandbox/control/world.js';
import { personOf, testWorld } from './world-fixture.js';

describe('world: arguments and lookups', () => {
  it('takes an e-mail as Google lists it, refuses anything else with a WorldControlError', () => {
    expect(emailArgument('  Vera.King@Example.COM ')).toBe('vera.king@example.com');
    for (const bad of ['', 'x', 'a b@c.d', 'a@b', `${'a'.repeat(260)}@x.com`, 'a\u202e@x.com', 5])
      expect(() => emailArgument(bad)).toThrow(WorldControlError);
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (raw) => {
        try {
          const email = emailArgument(raw);
          expect(email).toBe(raw.trim().toLowerCase());
          expect(email).toMatch(/^[^\s@]+@[^\s@]+\.[^\s@]+$/);
        } catch (error) {
          expect(error).toBeInstanceOf(WorldControlError);
        }
      }),
    );
  });

  it('takes a sign-in role in any case, READER by default', () => {
    expect(roleArgument(undefined)).toBe('READER');
    expect(roleArgument('author')).toBe('AUTHOR');
    expect(roleArgument('', 'ADMIN')).toBe('ADMIN');
    expect(() => roleArgument('OWNER')).toThrow(/--role must be READER, AUTHOR, ADMIN/);
  });

  it('names groups by e-mail or by name in the domain; an unknown group lists the real ones', () => {
    const world = testWorld();
    expect(groupArgument(world, 'quicksight-readers')).toBe('quicksight-readers@example.com');
    expect(groupArgument(world, 'QuickSight-Authors@Example.com')).toBe(
      'quicksight-authors@example.com',
    );
    expect(() => groupArgument(world, 'sales')).toThrow(
      /no Google group "sales@example.com" \(groups: quicksight-readers@example.com, quicksight-analysts@example.com/,
    );
  });

  it('knows people in a group, in IdC or in QuickSight only; refuses strangers to the sandbox', () => {
    const world = testWorld();
    expect(knownPerson(world, personOf(world, 'idc-only').email)).toBeTruthy();
    expect(knownPerson(world, personOf(world, 'stranger').email)).toBeTruthy();
    expect(() => knownPerson(world, 'nobody@example.com')).toThrow(/no one with e-mail/);
    const analyst = personOf(world, 'analyst');
    expect(configuredGroupsOf(world, analyst.email)).toEqual(['quicksight-readers@example.com']);
    const both = personOf(world, 'author-and-reader');
    expect(quickSightUsersOf(world, both.email).map((u) => u.role)).toEqual(['AUTHOR', 'READER']);
  });
});
