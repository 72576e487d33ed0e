import type { OrgPerson, PersonKind, SandboxOrg } from './org-types.js';
import { mulberry32, sample } from './random.js';

export interface PickLeaversOptions {
  /** How many people leave in all (authors and protected included). */
  readonly count: number;
  /** Of `count`: authors holding only an AUTHOR user (their removal is `protected` by role). */
  readonly includeAuthors?: number;
  /** Of `count`: readers on the allow-list (`org.protectedEmails`). */
  readonly includeProtected?: number;
  /** Default: the org's seed. */
  readonly seed?: number;
  /**
   * Who may be picked as an ordinary leaver. Default: plain readers and analysts, each holding
   * exactly one IAM Reader user (so each ordinary leaver is exactly one `delete`).
   */
  readonly filter?: (person: OrgPerson) => boolean;
}

export interface Leavers {
  /** Every leaver's e-mail (ordinary, then authors, then protected). */
  readonly emails: string[];
  readonly ordinary: OrgPerson[];
  readonly authors: OrgPerson[];
  readonly protected: OrgPerson[];
}

const ORDINARY_KINDS: ReadonlySet<PersonKind> = new Set([
  'reader',
  'analyst',
  'analyst-and-reader',
]);

/** The default `filter`: plain readers and analysts, each holding exactly one IAM Reader user. */
export function isOrdinaryLeaver(person: OrgPerson): boolean {
  return ORDINARY_KINDS.has(person.kind);
}

/**
 * Picks people who are still members of a configured group, deterministically by seed, e.g.
 * "40 people: 3 Authors, 1 protected" — the demo's "≈900 people left their groups".
 * Throws a RangeError when the organisation has too few people of a kind.
 */
export function pickLeavers(org: SandboxOrg, options: PickLeaversOptions): Leavers {
  const authorCount = options.includeAuthors ?? 0;
  const protectedCount = options.includeProtected ?? 0;
  const ordinaryCount = options.count - authorCount - protectedCount;
  if (ordinaryCount < 0)
    throw new RangeError('pickLeavers: includeAuthors + includeProtected exceed count');
  const random = mulberry32(options.seed ?? org.seed);
  const members = org.google.entitledEmails(org.groups);
  const current = org.people.filter((p) => members.has(p.email));
  const isOrdinary = options.filter ?? isOrdinaryLeaver;
  const draw = (what: string, pool: OrgPerson[], n: number) => {
    if (pool.length < n)
      throw new RangeError(`pickLeavers: ${n} ${what} wanted, only ${pool.length} left`);
    return sample(random, pool, n);
  };
  const ordinary = draw(
    'ordinary leavers',
    current.filter((p) => !p.protected && isOrdinary(p)),
    ordinaryCount,
  );
  const authors = draw(
    'authors',
    current.filter((p) => p.kind === 'author'),
    authorCount,
  );
  const protectedPeople = draw(
    'protected people',
    current.filter((p) => p.protected),
    protectedCount,
  );
  const emails = [...ordinary, ...authors, ...protectedPeople].map((p) => p.email);
  return { emails, ordinary, authors, protected: protectedPeople };
}
