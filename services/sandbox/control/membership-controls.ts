import { randomDigits } from '../scenarios/random.js';
import {
  configuredGroupsOf,
  directGroupsOf,
  emailArgument,
  groupArgument,
  isDirectMember,
  knownPerson,
  listOf,
  roleArgument,
  type SignInRole,
  type World,
  WorldControlError,
} from './world.js';

/**
 * Google membership changes made from another shell (`idsync sandbox leave|join|move`): they
 * change the Google stand-in's groups only, as an admin editing a group in the Admin console
 * does; IAM Identity Center follows at the next SCIM sync (`idsync sandbox sync`). A change the
 * Directory API would refuse (leaving a group one is not in, joining one twice) is refused.
 */

export interface MembershipResult {
  readonly email: string;
  /** Groups the person was removed from / added to. */
  readonly left: string[];
  readonly joined: string[];
  /** Configured groups the person is in afterwards (directly or through nesting). */
  readonly configuredGroups: string[];
  /** For `join`: the QuickSight role of the person's first sign-in. */
  readonly signInRole?: SignInRole;
  /** One or a few plain lines saying what changed. */
  readonly summary: string[];
}

export interface LeaveRequest {
  readonly email?: unknown;
  /** One group to leave; default every group the person is a direct member of. */
  readonly group?: unknown;
}

/** Removes the person from one group, or from every configured group (and nested one) they are in. */
export function leaveGroups(world: World, request: LeaveRequest): MembershipResult {
  const email = knownPerson(world, emailArgument(request.email));
  let groups: string[];
  if (request.group === undefined || request.group === null) {
    groups = directGroupsOf(world, email);
    if (groups.length === 0) throw new WorldControlError(`${email} is in no configured group`);
  } else {
    const group = groupArgument(world, request.group);
    requireDirectMember(world, group, email);
    groups = [group];
  }
  for (const group of groups) world.org.google.removeMember(group, email);
  const configuredGroups = configuredGroupsOf(world, email);
  return {
    email,
    left: groups,
    joined: [],
    configuredGroups,
    summary: [`${email} left ${listOf(groups)}`, standing(email, configuredGroups)],
  };
}

export interface JoinRequest {
  readonly email?: unknown;
  readonly group?: unknown;
  /** QuickSight role on first sign-in; default READER. */
  readonly role?: unknown;
}

/** Adds a new or returning person to a group; remembers the role of their first sign-in. */
export function joinGroup(world: World, request: JoinRequest): MembershipResult {
  const email = emailArgument(request.email);
  if (request.group === undefined || request.group === null)
    throw new WorldControlError('join needs --group G');
  const group = groupArgument(world, request.group);
  const role = roleArgument(request.role);
  if (isDirectMember(world, group, email))
    throw new WorldControlError(`${email} is already a member of ${group}`);
  addMember(world, group, email);
  world.signInRoles.set(email, role);
  const configuredGroups = configuredGroupsOf(world, email);
  const idc = world.org.identityStore.findByUserName(email);
  return {
    email,
    left: [],
    joined: [group],
    configuredGroups,
    signInRole: role,
    summary: [
      `${email} joined ${group}`,
      standing(email, configuredGroups),
      idc
        ? `${email} already has an IdC user; first QuickSight sign-in as ${role}: idsync sandbox new-user ${email}`
        : `idsync sandbox sync creates their IdC user; then first QuickSight sign-in as ${role}: idsync sandbox new-user ${email}`,
    ],
  };
}

export interface MoveRequest {
  readonly email?: unknown;
  readonly from?: unknown;
  readonly to?: unknown;
}

/** Moves a person from one group to another in one change (both checked before either is made). */
export function moveBetweenGroups(world: World, request: MoveRequest): MembershipResult {
  const email = knownPerson(world, emailArgument(request.email));
  if (request.from === undefined || request.to === undefined)
    throw new WorldControlError('move needs --from G and --to G');
  const from = groupArgument(world, request.from, '--from');
  const to = groupArgument(world, request.to, '--to');
  if (from === to) throw new WorldControlError(`--from and --to are the same group (${from})`);
  requireDirectMember(world, from, email);
  if (isDirectMember(world, to, email))
    throw new WorldControlError(`${email} is already a member of ${to}`);
  const row = world.org.google.directMembers(from).find((m) => m.email.toLowerCase() === email);
  world.org.google.removeMember(from, email);
  addMember(world, to, email, row?.id);
  const configuredGroups = configuredGroupsOf(world, email);
  return {
    email,
    left: [from],
    joined: [to],
    configuredGroups,
    summary: [`${email} moved from ${from} to ${to}`, standing(email, configuredGroups)],
  };
}

function requireDirectMember(world: World, group: string, email: string): void {
  if (isDirectMember(world, group, email)) return;
  const nested = world.org.google
    .listMembers(group, true)
    .some((m) => m.email.toLowerCase() === email);
  const through = nested ? directGroupsOf(world, email).filter((g) => g !== group) : [];
  throw new WorldControlError(
    through.length > 0
      ? `${email} is not a direct member of ${group} (a member through ${listOf(through)}): leave that group instead`
      : `${email} is not a member of ${group}`,
  );
}

function addMember(world: World, group: string, email: string, knownId?: string): void {
  world.org.google.addMember(group, {
    id: knownId ?? googleIdOf(world, email),
    email,
    type: 'USER',
    role: 'MEMBER',
    status: 'ACTIVE',
  });
}

/** The person's Google user id: as built, as given when they first joined, or a new one. */
function googleIdOf(world: World, email: string): string {
  const known =
    world.org.people.find((p) => p.email === email)?.googleId ?? world.newcomerIds.get(email);
  if (known) return known;
  const id = `1${randomDigits(world.random, 20)}`;
  world.newcomerIds.set(email, id);
  return id;
}

function standing(email: string, configuredGroups: readonly string[]): string {
  return configuredGroups.length === 0
    ? `${email} is now in no configured group: idsync sandbox sync deletes their IdC user`
    : `${email} is still in ${listOf(configuredGroups)} (configured)`;
}
