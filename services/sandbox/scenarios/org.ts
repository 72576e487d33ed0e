import type { IdcUser } from '../../../shared/domain.js';
import { GoogleDirectoryState } from '../state/google-state.js';
import { IdentityStoreState } from '../state/identity-store-state.js';
import { QuickSightState } from '../state/quicksight-state.js';
import { type Identity, makeIdentities, toAsciiLocalPart } from './names.js';
import { countOrg } from './org-counts.js';
import {
  type OrgPerson,
  type OrgSpec,
  type PersonKind,
  type SandboxOrg,
  SCIM_ISSUER,
} from './org-types.js';
import { federationRole, quickSightUsersFor } from './quicksight-users.js';
import {
  mulberry32,
  type Random,
  randomChars,
  randomDigits,
  randomHex,
  randomUuid,
  sample,
  shuffle,
} from './random.js';

export { countOrg } from './org-counts.js';
export * from './org-types.js';

/** Like the real company: ≈2,200 Readers, 16 Authors (3 also Readers), 10 Admins. */
export const DEMO_SPEC: OrgSpec = {
  domain: 'example.com',
  readers: 2140,
  analysts: 24,
  analystsAlsoReaders: 12,
  quickSightNative: 4,
  identityCenter: 2,
  authors: 16,
  authorsAlsoReaders: 3,
  admins: 10,
  mixedCase: 30,
  protectedReaders: 3,
  idcOnly: 5,
  strangers: 18,
};

/** Small and quick for tests, with every kind of person of the demo. */
export const SMALL_SPEC: OrgSpec = {
  domain: 'example.com',
  readers: 26,
  analysts: 5,
  analystsAlsoReaders: 3,
  quickSightNative: 1,
  identityCenter: 2,
  authors: 3,
  authorsAlsoReaders: 2,
  admins: 1,
  mixedCase: 3,
  protectedReaders: 1,
  idcOnly: 2,
  strangers: 3,
};

export function demoOrg(seed = 42): SandboxOrg {
  return buildOrg(DEMO_SPEC, seed);
}

export function smallOrg(seed = 7): SandboxOrg {
  return buildOrg(SMALL_SPEC, seed);
}

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Builds the three states of an organisation of this shape; the same seed gives the same org. */
export function buildOrg(spec: OrgSpec, seed: number): SandboxOrg {
  checkSpec(spec);
  const random = mulberry32(seed);
  const { domain } = spec;
  const region = spec.region ?? 'us-east-1';
  const groupEmails = {
    readers: `quicksight-readers@${domain}`,
    analysts: `quicksight-analysts@${domain}`,
    authors: `quicksight-authors@${domain}`,
  };
  const identityStoreId = `d-${randomHex(random, 10)}`;
  const accountId = `${1 + Math.floor(random() * 9)}${randomDigits(random, 11)}`;
  const scimTenantId = `${randomChars(random, LOWER_ALNUM, 11)}-${randomHex(random, 4)}-${randomHex(random, 4)}-${randomHex(random, 4)}-${randomHex(random, 12)}`;
  const roles = {
    reader: federationRole(random, 'QuickSightReader'),
    author: federationRole(random, 'QuickSightAuthor'),
    admin: federationRole(random, 'QuickSightAdmin'),
  };
  const formerReaderRole = federationRole(random, 'QuickSightReader');

  const google = new GoogleDirectoryState();
  for (const group of Object.values(groupEmails))
    google.addGroup(group, `0${randomChars(random, LOWER_ALNUM, 14)}`);
  google.addMember(groupEmails.readers, {
    id: google.groupId(groupEmails.analysts) ?? '',
    email: groupEmails.analysts,
    type: 'GROUP',
    role: 'MEMBER',
    status: 'ACTIVE',
  });
  const identityStore = new IdentityStoreState(identityStoreId);
  const quickSight = new QuickSightState(accountId, 'default', region);

  const kinds = shuffle(random, kindsOf(spec));
  const identities = makeIdentities(random, kinds.length, domain);
  const shortNames = new Set<string>();
  const flagged = sample(random, range(spec.readers), spec.protectedReaders + spec.mixedCase);
  const protectedIndexes = new Set(flagged.slice(0, spec.protectedReaders));
  const mixedCaseIndexes = new Set(flagged.slice(spec.protectedReaders));
  let readerIndex = 0;
  let identityCenterIndex = 0;
  const people: OrgPerson[] = kinds.map((kind, i) => {
    const identity = identities[i] as Identity;
    const flag = kind === 'reader' ? readerIndex++ : -1;
    const isProtected = protectedIndexes.has(flag);
    const mixedCase = mixedCaseIndexes.has(flag);
    const groups = groupsOf(kind, groupEmails);
    for (const group of groups)
      google.addMember(group, {
        id: identity.googleId,
        email: identity.email,
        type: 'USER',
        role: 'MEMBER',
        status: 'ACTIVE',
      });
    const idcUser =
      kind === 'stranger'
        ? undefined
        : identityStore.createUser(idcUserFor(random, identity, kind !== 'idc-only'));
    const quickSightUsers = quickSightUsersFor({
      kind,
      email: identity.email,
      mixedCase,
      roles,
      formerReaderRole,
      shortName: kind === 'native' ? uniqueShortName(identity, shortNames) : '',
      idcUserId: idcUser?.userId,
      identityStoreId,
      nameUnavailable: kind === 'identity-center' && identityCenterIndex++ === 0,
      random,
    }).map((user) => quickSight.register(user));
    return {
      kind,
      ...identity,
      groups,
      idcUserId: idcUser?.userId,
      quickSightUsers,
      protected: isProtected,
      mixedCase,
    };
  });

  const parts = {
    google,
    identityStore,
    quickSight,
    groups: [groupEmails.readers, groupEmails.authors],
    groupEmails,
  };
  return {
    ...parts,
    subject: `it-admin@${domain}`,
    domain,
    identityStoreId,
    accountId,
    namespace: quickSight.namespace,
    region,
    scimTenantId,
    roles,
    protectedEmails: people.filter((p) => p.protected).map((p) => p.email),
    people,
    spec,
    seed,
    counts: countOrg(parts),
  };
}

/** An IdC user as the SCIM sync provisions it (or, without `scim`, as an admin creates one by hand). */
export function idcUserFor(
  random: Random,
  person: Pick<Identity, 'email' | 'displayName' | 'googleId'>,
  scim: boolean,
): IdcUser {
  return {
    userId: randomUuid(random),
    userName: person.email,
    displayName: person.displayName,
    emails: [{ value: person.email, type: 'work', primary: true }],
    externalIds: scim ? [{ issuer: SCIM_ISSUER, id: person.googleId }] : [],
  };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function kindsOf(spec: OrgSpec): PersonKind[] {
  const counts: [PersonKind, number][] = [
    ['reader', spec.readers],
    ['analyst', spec.analysts],
    ['analyst-and-reader', spec.analystsAlsoReaders],
    ['native', spec.quickSightNative],
    ['identity-center', spec.identityCenter],
    ['author', spec.authors - spec.authorsAlsoReaders],
    ['author-and-reader', spec.authorsAlsoReaders],
    ['admin', spec.admins],
    ['idc-only', spec.idcOnly],
    ['stranger', spec.strangers],
  ];
  return counts.flatMap(([kind, n]) => Array.from({ length: n }, () => kind));
}

function groupsOf(kind: PersonKind, g: SandboxOrg['groupEmails']): string[] {
  switch (kind) {
    case 'reader':
    case 'native':
    case 'identity-center':
      return [g.readers];
    case 'analyst':
      return [g.analysts];
    case 'analyst-and-reader':
      return [g.readers, g.analysts];
    case 'author':
    case 'admin':
      return [g.authors];
    case 'author-and-reader':
      return [g.readers, g.authors];
    case 'idc-only':
    case 'stranger':
      return [];
  }
}

function uniqueShortName(identity: Identity, taken: Set<string>): string {
  const base = `${toAsciiLocalPart(identity.givenName).charAt(0)}${toAsciiLocalPart(identity.familyName)}`;
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}${n}`;
  taken.add(name);
  return name;
}

function checkSpec(spec: OrgSpec): void {
  const fields = Object.entries(spec).filter(([, v]) => typeof v === 'number');
  for (const [name, value] of fields)
    if (!Number.isInteger(value) || (value as number) < 0)
      throw new RangeError(`org spec ${name} must be a non-negative integer, got ${value}`);
  if (spec.authorsAlsoReaders > spec.authors)
    throw new RangeError('org spec authorsAlsoReaders exceeds authors');
  if (spec.mixedCase + spec.protectedReaders > spec.readers)
    throw new RangeError('org spec mixedCase + protectedReaders exceed readers');
}
