import { describe, expect, it } from 'vitest';
import {
  joinGroup,
  leaveGroups,
  moveBetweenGroups,
} from '../../../../services/sandbox/control/membership-controls.js';
import { WorldControlError } from '../../../../services/sandbox/control/world.js';
import { personOf, testWorld } from './world-fixture.js';

const READERS = 'quicksight-readers@example.com';
const ANALYSTS = 'quicksight-analysts@example.com';
const AUTHORS = 'quicksight-authors@example.com';

describe('membership controls (Google groups only)', () => {
  it('leave: every group the person is in (nested ones too), and nothing else changes', () => {
    const world = testWorld();
    const p = personOf(world, 'analyst-and-reader');
    const idcBefore = world.org.identityStore.size;
    const result = leaveGroups(world, { email: p.email.toUpperCase() });
    expect(result.left.sort()).toEqual([ANALYSTS, READERS]);
    expect(result.configuredGroups).toEqual([]);
    expect(result.summary[1]).toBe(
      `${p.email} is now in no configured group: idsync sandbox sync deletes their IdC user`,
    );
    expect(world.org.google.entitledEmails(world.org.groups).has(p.email)).toBe(false);
    expect(world.org.identityStore.size).toBe(idcBefore);
    expect(() => leaveGroups(world, { email: p.email })).toThrow(/is in no configured group/);
  });

  it('leave --group: only that group; not a member, or a member only through nesting, is refused', () => {
    const world = testWorld();
    const p = personOf(world, 'analyst-and-reader');
    const one = leaveGroups(world, { email: p.email, group: 'quicksight-analysts' });
    expect(one.left).toEqual([ANALYSTS]);
    expect(one.configuredGroups).toEqual([READERS]);
    expect(() => leaveGroups(world, { email: p.email, group: ANALYSTS })).toThrow(
      `${p.email} is not a member of ${ANALYSTS}`,
    );
    const analyst = personOf(world, 'analyst');
    expect(() => leaveGroups(world, { email: analyst.email, group: READERS })).toThrow(
      `${analyst.email} is not a direct member of ${READERS} (a member through ${ANALYSTS}): leave that group instead`,
    );
    expect(() => leaveGroups(world, { email: 'nobody@example.com' })).toThrow(WorldControlError);
  });

  it('join: a new person gets a Google id (kept when they return) and their sign-in role', () => {
    const world = testWorld();
    const joined = joinGroup(world, { email: 'Nora.Quinn@example.com', group: READERS });
    expect(joined).toMatchObject({ joined: [READERS], signInRole: 'READER' });
    const row = world.org.google
      .directMembers(READERS)
      .find((m) => m.email === 'nora.quinn@example.com');
    expect(row).toMatchObject({ type: 'USER', status: 'ACTIVE' });
    expect(row?.id).toMatch(/^1\d{20}$/);
    expect(() => joinGroup(world, { email: 'nora.quinn@example.com', group: READERS })).toThrow(
      'nora.quinn@example.com is already a member of quicksight-readers@example.com',
    );
    leaveGroups(world, { email: 'nora.quinn@example.com' });
    joinGroup(world, { email: 'nora.quinn@example.com', group: AUTHORS, role: 'author' });
    expect(
      world.org.google.directMembers(AUTHORS).find((m) => m.email === 'nora.quinn@example.com')?.id,
    ).toBe(row?.id);
    expect(world.signInRoles.get('nora.quinn@example.com')).toBe('AUTHOR');
    expect(() =>
      joinGroup(world, { email: 'x@example.com', group: READERS, role: 'boss' }),
    ).toThrow(/--role/);
    expect(() => joinGroup(world, { email: 'x@example.com' })).toThrow('join needs --group G');
  });

  it('join: a returning member keeps the Google id they had', () => {
    const world = testWorld();
    const p = personOf(world, 'reader');
    leaveGroups(world, { email: p.email });
    joinGroup(world, { email: p.email, group: READERS });
    expect(world.org.google.directMembers(READERS).find((m) => m.email === p.email)?.id).toBe(
      p.googleId,
    );
  });

  it('move: both groups checked first, the person stays entitled, a failed move changes nothing', () => {
    const world = testWorld();
    const p = personOf(world, 'reader');
    expect(() => moveBetweenGroups(world, { email: p.email, from: AUTHORS, to: READERS })).toThrow(
      `${p.email} is not a member of ${AUTHORS}`,
    );
    expect(() => moveBetweenGroups(world, { email: p.email, from: READERS, to: READERS })).toThrow(
      /same group/,
    );
    expect(() => moveBetweenGroups(world, { email: p.email, from: READERS, to: 'nope' })).toThrow(
      /--to: no Google group/,
    );
    expect(world.org.google.directMembers(READERS).some((m) => m.email === p.email)).toBe(true);
    const moved = moveBetweenGroups(world, { email: p.email, from: READERS, to: AUTHORS });
    expect(moved).toMatchObject({
      left: [READERS],
      joined: [AUTHORS],
      configuredGroups: [AUTHORS],
    });
    expect(moved.summary).toEqual([
      `${p.email} moved from ${READERS} to ${AUTHORS}`,
      `${p.email} is still in ${AUTHORS} (configured)`,
    ]);
    const both = personOf(world, 'author-and-reader');
    expect(() =>
      moveBetweenGroups(world, { email: both.email, from: READERS, to: AUTHORS }),
    ).toThrow(`${both.email} is already a member of ${AUTHORS}`);
  });
});
