import { describe, expect, it } from 'vitest';
import {
  buildOrg,
  countOrg,
  DEMO_SPEC,
  demoOrg,
  type OrgSpec,
  type SandboxOrg,
  SCIM_ISSUER,
  SMALL_SPEC,
  smallOrg,
} from '../../../../services/sandbox/scenarios/org.js';
import type { QuickSightUser } from '../../../../shared/domain.js';
import { normalizeEmail } from '../../../../shared/email.js';

/** Everything the stand-ins would serve, as one comparable value. */
function fingerprint(org: SandboxOrg) {
  const groups = Object.values(org.groupEmails);
  return JSON.stringify({
    ids: [org.identityStoreId, org.accountId, org.scimTenantId, org.roles],
    google: groups.map((g) => org.google.directMembers(g)),
    idc: org.identityStore.list(),
    quickSight: org.quickSight.list(),
    people: org.people,
  });
}

/** The counts the spec documents (org-types.ts), derived from the spec alone. */
function documentedCounts(spec: OrgSpec) {
  const readersGroup =
    spec.readers +
    spec.analysts +
    spec.analystsAlsoReaders +
    spec.quickSightNative +
    spec.identityCenter +
    spec.authorsAlsoReaders;
  const authorsGroup = spec.authors + spec.admins;
  const entitled = readersGroup + authorsGroup - spec.authorsAlsoReaders;
  return {
    readersGroup,
    authorsGroup,
    nested: spec.analysts + spec.analystsAlsoReaders,
    entitled,
    idcUsers: entitled + spec.idcOnly,
    readerUsers: readersGroup + spec.strangers,
  };
}

describe.each([
  ['demoOrg', demoOrg, DEMO_SPEC],
  ['smallOrg', smallOrg, SMALL_SPEC],
] as const)('%s', (_name, build, spec) => {
  const org = build();
  const expected = documentedCounts(spec);

  it('is the same for the same seed and different for another', () => {
    expect(fingerprint(build())).toBe(fingerprint(org));
    const other = build(1234);
    expect(other.identityStoreId).not.toBe(org.identityStoreId);
    expect(other.people.map((p) => p.email)).not.toEqual(org.people.map((p) => p.email));
    expect(other.counts).toEqual(org.counts);
  });

  it('has the documented counts', () => {
    expect(org.counts).toEqual(countOrg(org));
    expect(org.counts.groupMembers[org.groupEmails.readers]).toBe(expected.readersGroup);
    expect(org.counts.groupMembers[org.groupEmails.authors]).toBe(expected.authorsGroup);
    expect(org.counts.nestedGroupMembers).toBe(expected.nested);
    expect(org.counts.entitledPeople).toBe(expected.entitled);
    expect(org.counts.idcUsers).toBe(expected.idcUsers);
    expect(org.counts.quickSightByRole).toEqual({
      READER: expected.readerUsers,
      AUTHOR: spec.authors,
      ADMIN: spec.admins,
    });
    expect(org.counts.quickSightByIdentityType.QUICKSIGHT).toBe(spec.quickSightNative);
    expect(org.counts.quickSightByIdentityType.IAM_IDENTITY_CENTER).toBe(spec.identityCenter);
    expect(org.people.filter((p) => p.protected).map((p) => p.email)).toEqual(org.protectedEmails);
    expect(org.protectedEmails).toHaveLength(spec.protectedReaders);
  });

  it('flattens the nested subgroup into the readers group, each user once', () => {
    const direct = org.google.listMembers(org.groupEmails.readers, false);
    const flattened = org.google.listMembers(org.groupEmails.readers, true);
    const nested = org.google.listMembers(org.groupEmails.analysts, true);
    expect(direct.filter((m) => m.type === 'GROUP').map((m) => m.email)).toEqual([
      org.groupEmails.analysts,
    ]);
    expect(flattened.every((m) => m.type === 'USER')).toBe(true);
    const flatEmails = new Set(flattened.map((m) => m.email));
    expect(flatEmails.size).toBe(flattened.length);
    for (const m of nested) expect(flatEmails.has(m.email)).toBe(true);
    const directEmails = new Set(direct.map((m) => m.email));
    const overlap = nested.filter((m) => directEmails.has(m.email));
    expect(overlap).toHaveLength(spec.analystsAlsoReaders);
  });

  it('names IAM users <role>/<email> with principal ids of the role', () => {
    const iam = org.quickSight.list().filter((u) => u.identityType === 'IAM');
    const readers = iam.filter((u) => u.role === 'READER');
    expect(readers.length).toBeGreaterThan(0);
    const badReaders = readers.filter(
      (u) =>
        !/^AWSReservedSSO_QuickSightReader_[0-9a-f]{16}\//.test(u.userName) ||
        u.userName.slice(u.userName.indexOf('/') + 1) !== u.email ||
        !/^federated\/iam\/AROA[A-Z2-7]{17}:/.test(u.principalId ?? '') ||
        !u.principalId?.endsWith(`:${u.email}`),
    );
    expect(badReaders).toEqual([]);
    const expectedName = (u: QuickSightUser) =>
      `${(u.role === 'AUTHOR' ? org.roles.author : org.roles.admin).name}/${u.email}`;
    const others = iam.filter((u) => u.role !== 'READER');
    expect(others.map((u) => u.userName)).toEqual(others.map(expectedName));
    const users = org.quickSight.list();
    expect(users.map((u) => u.arn)).toEqual(users.map((u) => org.quickSight.arnOf(u.userName)));
  });

  it('gives every group member a SCIM-provisioned IdC user', () => {
    const entitled = org.google.entitledEmails(org.groups);
    const byId = new Map(
      org.groups.flatMap((g) => org.google.listMembers(g, true)).map((m) => [m.email, m.id]),
    );
    const wrong = [...entitled].filter((email) => {
      const user = org.identityStore.findByUserName(email);
      return (
        user?.userName !== email ||
        !user.displayName ||
        JSON.stringify(user.emails) !==
          JSON.stringify([{ value: email, type: 'work', primary: true }]) ||
        JSON.stringify(user.externalIds) !==
          JSON.stringify([{ issuer: SCIM_ISSUER, id: byId.get(email) }])
      );
    });
    expect(wrong).toEqual([]);
    const handMade = org.identityStore.list().filter((u) => !entitled.has(u.userName));
    expect(handMade).toHaveLength(spec.idcOnly);
    for (const u of handMade) expect(u.externalIds).toEqual([]);
  });

  it('has the special QuickSight users idsync must handle', () => {
    const byKind = (kind: string) => org.people.filter((p) => p.kind === kind);
    const twoRoles = org.people.filter((p) => p.quickSightUsers.length === 2);
    expect(twoRoles).toHaveLength(spec.authorsAlsoReaders);
    for (const p of twoRoles)
      expect(p.quickSightUsers.map((u) => u.role).sort()).toEqual(['AUTHOR', 'READER']);
    const na = org.quickSight.list().filter((u) => u.userName === 'N/A');
    expect(na).toHaveLength(1);
    expect(na[0]?.identityType).toBe('IAM_IDENTITY_CENTER');
    expect(na[0]?.principalId).toMatch(/^user\/d-[0-9a-f]{10}\/[0-9a-f-]{36}$/);
    for (const p of byKind('native')) {
      expect(p.quickSightUsers[0]?.identityType).toBe('QUICKSIGHT');
      expect(p.quickSightUsers[0]?.userName).toMatch(/^[a-z0-9]+$/);
      expect(p.quickSightUsers[0]?.email).toBe(p.email);
    }
    const mixed = org.people.filter((p) => p.mixedCase);
    expect(mixed).toHaveLength(spec.mixedCase);
    for (const p of mixed) {
      const email = p.quickSightUsers[0]?.email ?? '';
      expect(email).not.toBe(p.email);
      expect(normalizeEmail(email)).toBe(p.email);
    }
  });

  it('has QuickSight users of strangers, who are in no group and have no IdC user', () => {
    const entitled = org.google.entitledEmails(org.groups);
    const strangers = org.people.filter((p) => p.kind === 'stranger');
    expect(strangers).toHaveLength(spec.strangers);
    for (const p of strangers) {
      expect(entitled.has(p.email)).toBe(false);
      expect(org.identityStore.findByUserName(p.email)).toBeUndefined();
      expect(p.quickSightUsers).toHaveLength(1);
      expect(org.quickSight.get(p.quickSightUsers[0]?.userName ?? '')).toBeDefined();
    }
  });
});

describe('demoOrg', () => {
  it('is shaped like the real company', () => {
    const org = demoOrg();
    expect(org.domain).toBe('example.com');
    expect(org.groups).toEqual([
      'quicksight-readers@example.com',
      'quicksight-authors@example.com',
    ]);
    const readers = org.counts.quickSightByRole.READER ?? 0;
    expect(readers).toBeGreaterThanOrEqual(2150);
    expect(readers).toBeLessThanOrEqual(2250);
    expect(org.counts.quickSightByRole.AUTHOR).toBe(16);
    expect(org.counts.quickSightByRole.ADMIN).toBe(10);
    const direct = org.google.listMembers(org.groupEmails.readers, false);
    expect(direct.filter((m) => m.type === 'USER').length).toBeGreaterThan(2100);
    expect(org.identityStoreId).toMatch(/^d-[0-9a-f]{10}$/);
    expect(org.accountId).toMatch(/^[1-9]\d{11}$/);
  });

  it('builds well under a second', () => {
    // Best of three, so a busy machine's scheduling does not count against the build.
    const times = [99, 100, 101].map((seed) => {
      const started = performance.now();
      demoOrg(seed);
      return performance.now() - started;
    });
    expect(Math.min(...times)).toBeLessThan(1000);
  });
});

describe('buildOrg', () => {
  it('rejects impossible specs', () => {
    expect(() => buildOrg({ ...SMALL_SPEC, authorsAlsoReaders: 9 }, 1)).toThrow(RangeError);
    expect(() => buildOrg({ ...SMALL_SPEC, mixedCase: 30 }, 1)).toThrow(RangeError);
    expect(() => buildOrg({ ...SMALL_SPEC, readers: -1 }, 1)).toThrow(RangeError);
  });

  it('uses the domain and region it is given', () => {
    const org = buildOrg({ ...SMALL_SPEC, domain: 'corp.test', region: 'eu-west-1' }, 3);
    expect(org.groupEmails.readers).toBe('quicksight-readers@corp.test');
    expect(org.subject).toBe('it-admin@corp.test');
    for (const p of org.people) expect(p.email.endsWith('@corp.test')).toBe(true);
    expect(org.quickSight.list()[0]?.arn).toMatch(/^arn:aws:quicksight:eu-west-1:/);
  });
});
