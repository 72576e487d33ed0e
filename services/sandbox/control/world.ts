import type { QuickSightUser } from '../../../shared/domain.js';
import type { CloudTrailState } from '../cloudtrail/cloudtrail-state.js';
import type { SandboxOrg } from '../scenarios/org-types.js';
import type { Random } from '../scenarios/random.js';
import { allGroups } from '../sync-simulator.js';

/**
 * The running sandbox's world as the world controls (membership-controls.ts, sync-control.ts,
 * quicksight-controls.ts) change it: the organisation's Google, IdentityStore and QuickSight
 * states, which the stand-ins serve as they are, and the CloudTrail stand-in's events. No I/O:
 * a control changes these objects and the stand-ins answer from them at the next call.
 */
export interface World {
  readonly org: SandboxOrg;
  readonly cloudTrail: CloudTrailState;
  /** The sandbox's clock: the time of the events a control writes. */
  readonly now: () => Date;
  readonly random: Random;
  /** The QuickSight role each joiner gets on first sign-in (`join --role`), by e-mail. */
  readonly signInRoles: Map<string, SignInRole>;
  /** Google user ids given to people who were never in the organisation (kept if they return). */
  readonly newcomerIds: Map<string, string>;
}

export function createWorld(
  org: SandboxOrg,
  cloudTrail: CloudTrailState,
  options: { readonly now?: () => Date; readonly random?: Random } = {},
): World {
  return {
    org,
    cloudTrail,
    now: options.now ?? (() => new Date()),
    random: options.random ?? Math.random,
    signInRoles: new Map(),
    newcomerIds: new Map(),
  };
}

/**
 * A request the real service would refuse (unknown person, not a member, bad value): the
 * control answers 400 and `idsync sandbox …` exits 2 with the message.
 */
export class WorldControlError extends Error {}

/** The QuickSight roles a sandbox person can sign in as: one IAM federation role each. */
export const SIGN_IN_ROLES = ['READER', 'AUTHOR', 'ADMIN'] as const;
export type SignInRole = (typeof SIGN_IN_ROLES)[number];

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/;

/** An e-mail as Google lists it (trimmed, lower case); anything else is refused. */
export function emailArgument(raw: unknown, what = 'EMAIL'): string {
  const text = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  if (text === '') throw new WorldControlError(`${what} is missing: give the person's e-mail`);
  if (text.length > 254 || UNSAFE.test(text) || !EMAIL.test(text))
    throw new WorldControlError(`${what} ${JSON.stringify(clip(text))} is not an e-mail address`);
  return text;
}

/** A QuickSight role for first sign-in: READER (default), AUTHOR or ADMIN, any case. */
export function roleArgument(raw: unknown, fallback: SignInRole = 'READER'): SignInRole {
  if (raw === undefined || raw === null || raw === '') return fallback;
  const role = String(raw).trim().toUpperCase();
  if ((SIGN_IN_ROLES as readonly string[]).includes(role)) return role as SignInRole;
  throw new WorldControlError(
    `--role must be ${SIGN_IN_ROLES.join(', ')} (got ${JSON.stringify(clip(String(raw)))})`,
  );
}

/**
 * A Google group of the sandbox, by e-mail; a name without `@` is taken in the organisation's
 * domain (`quicksight-readers` → `quicksight-readers@example.com`).
 */
export function groupArgument(world: World, raw: unknown, what = '--group'): string {
  const text = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  if (text === '') throw new WorldControlError(`${what} is missing: name a Google group`);
  const group = text.includes('@') ? text : `${text}@${world.org.domain}`;
  if (!world.org.google.hasGroup(group))
    throw new WorldControlError(
      `${what}: no Google group ${JSON.stringify(clip(group))} (groups: ${allGroups(world.org).join(', ')})`,
    );
  return group;
}

/** Groups (configured, or nested in one) that hold `email` as a direct user member. */
export function directGroupsOf(world: World, email: string): string[] {
  return allGroups(world.org).filter((g) => isDirectMember(world, g, email));
}

export function isDirectMember(world: World, group: string, email: string): boolean {
  return world.org.google
    .directMembers(group)
    .some((m) => m.type === 'USER' && m.email.toLowerCase() === email);
}

/** Configured groups (IDSYNC_GOOGLE_GROUPS) that hold `email`, directly or through nesting. */
export function configuredGroupsOf(world: World, email: string): string[] {
  return world.org.groups.filter((g) =>
    world.org.google.listMembers(g, true).some((m) => m.email.toLowerCase() === email),
  );
}

/** The person's QuickSight users: their e-mail, or a user name `<role>/<email>`, any case. */
export function quickSightUsersOf(world: World, email: string): QuickSightUser[] {
  return world.org.quickSight.list().filter((u) => {
    const name = u.userName.toLowerCase();
    return u.email?.toLowerCase() === email || name === email || name.endsWith(`/${email}`);
  });
}

/** True when the sandbox knows the person: in a group, in IdC or in QuickSight. */
export function isKnown(world: World, email: string): boolean {
  return (
    directGroupsOf(world, email).length > 0 ||
    world.org.identityStore.findByUserName(email) !== undefined ||
    quickSightUsersOf(world, email).length > 0 ||
    world.org.people.some((p) => p.email === email)
  );
}

/** Refuses an e-mail the sandbox does not know (a typo must not pass silently). */
export function knownPerson(world: World, email: string): string {
  if (!isKnown(world, email))
    throw new WorldControlError(
      `no one with e-mail ${email} in the sandbox (in no Google group, IdC or QuickSight)`,
    );
  return email;
}

/** `a, b and c` */
export function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
