import type { QuickSightUser } from '../../../shared/domain.js';
import { type QuickSightActor, quickSightEvent } from '../cloudtrail/quicksight-events.js';
import { iamUser } from '../scenarios/quicksight-users.js';
import {
  emailArgument,
  knownPerson,
  quickSightUsersOf,
  roleArgument,
  type SignInRole,
  type World,
  WorldControlError,
} from './world.js';

/**
 * QuickSight use made from another shell: `idsync sandbox activity` (a call by the person's
 * QuickSight user, as CloudTrail records it) and `idsync sandbox new-user` (the person's first
 * sign-in: QuickSight registers their user and CloudTrail records the `CreateUser`). The events
 * go to the CloudTrail stand-in at their time, where `idsync activity sync` reads them through
 * LookupEvents, as it reads CloudTrail in AWS.
 */

/** CloudTrail keeps 90 days of management events (services/sandbox/cloudtrail/lookup-events.ts). */
export const ACTIVITY_MAX_DAYS_AGO = 90;
const DAY = 86_400_000;
const EVENT_NAME = /^[A-Z][A-Za-z0-9]{2,63}$/;

export interface ActivityRequest {
  readonly email?: unknown;
  /** Whole days before now; default 0 (now). */
  readonly daysAgo?: unknown;
  /** The QuickSight API call; default GetDashboard. */
  readonly event?: unknown;
  /** Which of the person's users, when they have several (an Author who is also a Reader). */
  readonly role?: unknown;
}

export interface QuickSightControlResult {
  readonly email: string;
  readonly userName: string;
  readonly role: string;
  readonly eventName: string;
  readonly eventTime: string;
  readonly eventId: string;
  readonly summary: string[];
}

/** Adds one QuickSight call by the person's QuickSight user to CloudTrail. */
export function addActivity(world: World, request: ActivityRequest): QuickSightControlResult {
  const email = knownPerson(world, emailArgument(request.email));
  const daysAgo = daysAgoArgument(request.daysAgo);
  const eventName = eventArgument(request.event);
  const user = userOf(world, email, request.role);
  const time = wholeSecond(world.now().getTime() - daysAgo * DAY);
  const record = quickSightEvent({
    accountId: world.org.accountId,
    region: world.org.region,
    time,
    eventName,
    actor: actorOf(world, user),
    random: world.random,
  });
  world.cloudTrail.add([record]);
  return {
    email,
    userName: user.userName,
    role: user.role,
    eventName,
    eventTime: record.eventTime,
    eventId: record.eventID,
    summary: [
      `CloudTrail: ${eventName} by ${user.userName} (${user.role}) at ${record.eventTime}`,
      'idsync activity sync reads it once it is 15 minutes old, unless an earlier sync already read that span',
    ],
  };
}

export interface NewUserRequest {
  readonly email?: unknown;
  /** Default: the role given at `join`, else READER. */
  readonly role?: unknown;
}

/**
 * The person's first QuickSight sign-in through IAM Identity Center: QuickSight registers an
 * IAM-federated user `<permission-set role>/<email>` in the role's QuickSight role, and
 * CloudTrail records `CreateUser` by that session. Signing in needs an IdC user.
 */
export function registerNewUser(world: World, request: NewUserRequest): QuickSightControlResult {
  const email = knownPerson(world, emailArgument(request.email));
  const role = roleArgument(request.role, world.signInRoles.get(email) ?? 'READER');
  if (!world.org.identityStore.findByUserName(email))
    throw new WorldControlError(
      `${email} has no IdC user, so cannot sign in: join a group, then idsync sandbox sync`,
    );
  const federation = federationOf(world, role);
  // Signing in through the same role again uses the user it registered; another role's user
  // (an earlier permission set) does not count, as in QuickSight.
  const existing = world.org.quickSight.get(`${federation.name}/${email}`);
  if (existing)
    throw new WorldControlError(
      `${email} already has a QuickSight ${role} user (${existing.userName})`,
    );
  const user = world.org.quickSight.register(iamUser(federation, email, role));
  const time = wholeSecond(world.now().getTime());
  const record = quickSightEvent({
    accountId: world.org.accountId,
    region: world.org.region,
    time,
    eventName: 'CreateUser',
    actor: { kind: 'federated', roleName: federation.name, session: email },
    random: world.random,
  });
  world.cloudTrail.add([record]);
  return {
    email,
    userName: user.userName,
    role,
    eventName: 'CreateUser',
    eventTime: record.eventTime,
    eventId: record.eventID,
    summary: [
      `QuickSight: ${user.userName} registered as ${role} (first sign-in)`,
      `CloudTrail: CreateUser at ${record.eventTime}`,
    ],
  };
}

export function daysAgoArgument(raw: unknown): number {
  if (raw === undefined || raw === null || raw === '') return 0;
  const text = String(raw).trim();
  const n = /^\d{1,3}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(n) || n > ACTIVITY_MAX_DAYS_AGO)
    throw new WorldControlError(
      `--days-ago must be a whole number from 0 to ${ACTIVITY_MAX_DAYS_AGO}, the days CloudTrail keeps (got ${JSON.stringify(text.slice(0, 40))})`,
    );
  return n;
}

export function eventArgument(raw: unknown): string {
  if (raw === undefined || raw === null || raw === '') return 'GetDashboard';
  const text = String(raw).trim();
  if (!EVENT_NAME.test(text))
    throw new WorldControlError(
      `--event must name a QuickSight API call such as GetDashboard or ListDashboards (got ${JSON.stringify(text.slice(0, 40))})`,
    );
  return text;
}

/** The one QuickSight user the activity is by; with several, `role` chooses. */
function userOf(world: World, email: string, rawRole: unknown): QuickSightUser {
  const users = quickSightUsersOf(world, email);
  if (users.length === 0)
    throw new WorldControlError(
      `${email} has no QuickSight user: sign in first (idsync sandbox new-user ${email})`,
    );
  if (rawRole !== undefined && rawRole !== null && rawRole !== '') {
    const role = String(rawRole).trim().toUpperCase();
    const match = users.find((u) => u.role === role);
    if (!match)
      throw new WorldControlError(
        `${email} has no QuickSight ${role.slice(0, 20)} user (has ${users.map((u) => u.role).join(', ')})`,
      );
    return match;
  }
  if (users.length > 1)
    throw new WorldControlError(
      `${email} has ${users.length} QuickSight users (${users.map((u) => u.role).join(', ')}): pass --role`,
    );
  return users[0] as QuickSightUser;
}

/** Who CloudTrail names for a call by this user (as scenarios/activity.ts writes them). */
function actorOf(world: World, user: QuickSightUser): QuickSightActor {
  if (user.identityType === 'IAM_IDENTITY_CENTER')
    return {
      kind: 'identity-center',
      userId: (user.principalId ?? '').split('/').at(-1) ?? '',
      identityStoreId: world.org.identityStoreId,
    };
  if (user.identityType === 'QUICKSIGHT') return { kind: 'native', userName: user.userName };
  const slash = user.userName.lastIndexOf('/');
  return {
    kind: 'federated',
    roleName: user.userName.slice(0, slash),
    session: user.userName.slice(slash + 1),
  };
}

function federationOf(world: World, role: SignInRole) {
  const { roles } = world.org;
  return role === 'ADMIN' ? roles.admin : role === 'AUTHOR' ? roles.author : roles.reader;
}

function wholeSecond(ms: number): Date {
  return new Date(Math.floor(ms / 1000) * 1000);
}
