import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HIDDEN, IDENTITY_EVENT_SOURCES } from '../../../services/sandbox/cloudtrail-events.js';
import {
  demoOrg,
  type SandboxOrg,
  SCIM_ISSUER,
  smallOrg,
} from '../../../services/sandbox/scenarios/org.js';
import { mulberry32 } from '../../../services/sandbox/scenarios/random.js';
import {
  allGroups,
  applyMembershipChange,
  isScimProvisioned,
  removeFromGroups,
  removePeople,
} from '../../../services/sandbox/sync-simulator.js';
import { NotFoundError } from '../../../shared/errors.js';

const NOW = new Date('2025-06-02T09:00:00.000Z');
const options = (seed = 1) => ({ now: NOW, random: mulberry32(seed) });
const kindOf = (org: SandboxOrg, kind: string) => org.people.filter((p) => p.kind === kind);
const firstOf = (org: SandboxOrg, kind: string) => {
  const person = kindOf(org, kind)[0];
  if (!person) throw new Error(`the org has no ${kind}`);
  return person;
};
const removeFrom = (org: SandboxOrg, group: string, email: string) =>
  applyMembershipChange(org, { remove: [{ group, email }] }, options());

/**
 * The sync's invariant: every member of a configured group has an IdC user, and every
 * SCIM-provisioned IdC user is such a member. (A hand-made user who joins a group keeps their
 * user: the real sync's create conflicts with it.)
 */
function expectInSync(org: SandboxOrg) {
  const entitled = org.google.entitledEmails(org.groups);
  const withoutUser = [...entitled].filter((email) => !org.identityStore.findByUserName(email));
  const scimUsers = org.identityStore.list().filter(isScimProvisioned);
  const notMembers = scimUsers.filter((u) => !entitled.has(u.userName.toLowerCase()));
  expect({ withoutUser, notMembers }).toEqual({ withoutUser: [], notMembers: [] });
}

describe('applyMembershipChange', () => {
  it('deletes the IdC users of people who left every group, and only those', () => {
    const org = smallOrg();
    const before = org.identityStore.list();
    const readers = kindOf(org, 'reader').slice(0, 4);
    const result = removeFromGroups(
      org,
      readers.map((p) => p.email),
      options(),
    );
    expect(result.deleted.map((u) => u.userId).sort()).toEqual(
      readers.map((p) => p.idcUserId).sort(),
    );
    expect(result.created).toEqual([]);
    expect(org.identityStore.size).toBe(before.length - 4);
    for (const p of readers) expect(org.identityStore.get(p.idcUserId ?? '')).toBeUndefined();
    expect(org.quickSight.size).toBe(org.counts.quickSightUsers);
    expectInSync(org);
  });

  it.each([
    ['analyst-and-reader', 'readers', 'analysts'],
    ['author-and-reader', 'readers', 'authors'],
  ] as const)(
    'keeps a %s removed from the %s group until they leave the %s group',
    (kind, first, last) => {
      const org = smallOrg();
      const person = firstOf(org, kind);
      const result = removeFrom(org, org.groupEmails[first], person.email);
      expect(result.deleted).toEqual([]);
      expect(result.events).toEqual([]);
      expect(org.identityStore.get(person.idcUserId ?? '')).toBeDefined();
      const second = removeFrom(org, org.groupEmails[last], person.email);
      expect(second.deleted.map((u) => u.userId)).toEqual([person.idcUserId]);
    },
  );

  it('never deletes IdC users created by hand, though they are in no group', () => {
    const org = smallOrg();
    const handMade = kindOf(org, 'idc-only');
    const result = removeFromGroups(org, [kindOf(org, 'reader')[0]?.email ?? ''], options());
    expect(result.deleted).toHaveLength(1);
    for (const p of handMade) expect(org.identityStore.get(p.idcUserId ?? '')).toBeDefined();
  });

  it('creates IdC users for new members, nested ones included', () => {
    const org = smallOrg();
    const result = applyMembershipChange(
      org,
      {
        add: [
          {
            group: org.groupEmails.readers,
            email: 'new.person@example.com',
            id: '109876543210987654321',
          },
          { group: org.groupEmails.analysts, email: 'Nested.Joiner@example.com' },
        ],
      },
      options(),
    );
    expect(result.deleted).toEqual([]);
    expect(result.created.map((u) => u.userName).sort()).toEqual([
      'nested.joiner@example.com',
      'new.person@example.com',
    ]);
    const created = org.identityStore.findByUserName('new.person@example.com');
    expect(created?.externalIds).toEqual([{ issuer: SCIM_ISSUER, id: '109876543210987654321' }]);
    expect(created?.emails).toEqual([
      { value: 'new.person@example.com', type: 'work', primary: true },
    ]);
    expect(created?.displayName).toBe('New Person');
    expect(result.events.map((e) => e.detail.eventName)).toEqual(['CreateUser', 'CreateUser']);
    expectInSync(org);
  });

  it('gives a re-joiner a new IdC user id, as the real sync does', () => {
    const org = smallOrg();
    const person = firstOf(org, 'reader');
    removeFromGroups(org, [person.email], options());
    const back = applyMembershipChange(
      org,
      { add: [{ group: org.groupEmails.readers, email: person.email }] },
      options(2),
    );
    expect(back.created).toHaveLength(1);
    expect(back.created[0]?.userId).not.toBe(person.idcUserId);
    expect(back.created[0]?.externalIds[0]?.id).toBe(person.googleId);
    expect(back.created[0]?.displayName).toBe(person.displayName);
  });

  it('refuses to add to a group that does not exist', () => {
    const org = smallOrg();
    expect(() =>
      applyMembershipChange(org, { add: [{ group: 'nope@example.com', email: 'a@example.com' }] }),
    ).toThrow(NotFoundError);
  });

  it('keeps IdC in line with any sequence of removals and additions', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            add: fc.boolean(),
            person: fc.nat(),
            group: fc.integer({ min: 0, max: 2 }),
          }),
          { maxLength: 25 },
        ),
        (steps) => {
          const org = smallOrg();
          const groups = allGroups(org);
          for (const step of steps) {
            const person = org.people[step.person % org.people.length];
            const group = groups[step.group] ?? org.groups[0] ?? '';
            if (!person) continue;
            const entry = { group, email: person.email };
            const change = step.add ? { add: [entry] } : { remove: [entry] };
            const result = applyMembershipChange(org, change, options());
            expect(result.events).toHaveLength(result.deleted.length + result.created.length);
            expectInSync(org);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('events', () => {
  it('emits one SCIM DeleteUser per deleted user, with no personal data in it', () => {
    const org = smallOrg();
    const leaving = kindOf(org, 'reader').slice(0, 5);
    const result = removeFromGroups(
      org,
      leaving.map((p) => p.email),
      options(),
    );
    expect(result.events).toHaveLength(5);
    expect(result.events.map((e) => e.detail.requestParameters)).toEqual(
      result.deleted.map((u) => ({ tenantId: org.scimTenantId, id: u.userId })),
    );
    const text = JSON.stringify(result.events);
    for (const u of result.deleted) {
      expect(text).not.toContain(u.userName);
      expect(text.toLowerCase()).not.toContain(u.userName.split('@')[0]?.toLowerCase());
      if (u.displayName) expect(text).not.toContain(u.displayName);
    }
    for (const e of result.events) {
      expect(e.source).toBe('aws.identitystore-scim');
      expect(e.detail).toMatchObject({
        eventSource: 'identitystore-scim.amazonaws.com',
        eventName: 'DeleteUser',
        userIdentity: { type: 'WebIdentityUser', accountId: org.accountId },
        responseElements: null,
        recipientAccountId: org.accountId,
        awsRegion: org.region,
      });
    }
  });

  it('masks the SCIM CreateUser body and names the new user id', () => {
    const org = smallOrg();
    const result = applyMembershipChange(
      org,
      { add: [{ group: org.groupEmails.readers, email: 'zed.zulu@example.com' }] },
      options(),
    );
    const event = result.events[0];
    expect(JSON.stringify(event)).not.toMatch(/zed|zulu/i);
    expect(event?.detail.requestParameters).toMatchObject({
      tenantId: org.scimTenantId,
      httpBody: { userName: HIDDEN, displayName: HIDDEN },
    });
    expect(event?.detail.responseElements).toMatchObject({ id: result.created[0]?.userId });
  });

  it.each(IDENTITY_EVENT_SOURCES.filter((s) => s !== 'identitystore-scim.amazonaws.com'))(
    'names the identity store and user id for %s',
    (source) => {
      const org = smallOrg();
      const leaving = kindOf(org, 'analyst').slice(0, 2);
      const result = removeFromGroups(
        org,
        leaving.map((p) => p.email),
        { ...options(), source },
      );
      expect(result.events.map((e) => e.detail.requestParameters)).toEqual(
        result.deleted.map((u) => ({ identityStoreId: org.identityStoreId, userId: u.userId })),
      );
      for (const e of result.events) {
        expect(e.detail.eventSource).toBe(source);
        expect(e.detail.userIdentity.type).toBe('AssumedRole');
        expect(e.source).toBe(source.startsWith('sso') ? 'aws.sso-directory' : 'aws.identitystore');
      }
    },
  );

  it('starts at `now`, moves forward, and repeats exactly for the same seed', () => {
    const run = () => {
      const org = demoOrg();
      return removePeople(org, { count: 120, includeAuthors: 2, includeProtected: 1 }, options(9));
    };
    const first = run();
    expect(first.deleted).toHaveLength(120);
    expect(first.leavers.emails).toHaveLength(120);
    expect(first.events[0]?.time).toBe('2025-06-02T09:00:00Z');
    const times = first.events.map((e) => Date.parse(e.detail.eventTime));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(first.events.map((e) => e.detail.eventID)).size).toBe(120);
    expect(JSON.stringify(run().events)).toBe(JSON.stringify(first.events));
  });
});
