/**
 * Plays the SCIM sync (ssosync, or Google's own auto-provisioning) on a sandbox organisation:
 * applies a Google membership change, then brings IdC in line — deleting the IdC users it
 * provisioned for people now in no configured group, creating users for new members — and returns
 * the CloudTrail events that sync would cause, as EventBridge envelopes. QuickSight follows:
 * the IAM_IDENTITY_CENTER users of people who left turn inactive (./identity-center-seats.ts;
 * `runFirstOfMonth` then removes them).
 */

import type { GoogleMember, IdcUser } from '../../shared/domain.js';
import { NotFoundError } from '../../shared/errors.js';
import {
  type CloudTrailRecord,
  cloudTrailEvent,
  type EventBridgeEnvelope,
  eventBridgeEnvelope,
  type IdentityEventSource,
} from './cloudtrail-events.js';
import { followIdentityCenterGroups } from './identity-center-seats.js';
import { type Leavers, type PickLeaversOptions, pickLeavers } from './scenarios/leavers.js';
import { namesFromEmail } from './scenarios/names.js';
import { idcUserFor } from './scenarios/org.js';
import { type OrgPerson, type SandboxOrg, SCIM_ISSUER } from './scenarios/org-types.js';
import { type Random, randomDigits, randomInt, randomUuid } from './scenarios/random.js';

export interface MembershipChange {
  readonly remove?: readonly { readonly group: string; readonly email: string }[];
  /** `id` is the Google user id; by default the person's known id, else a fresh one. */
  readonly add?: readonly {
    readonly group: string;
    readonly email: string;
    readonly id?: string;
  }[];
}

export interface SyncOptions {
  /** Who the events say made the calls; default the SCIM endpoint. */
  readonly source?: IdentityEventSource;
  /** Time of the first call; later calls follow at a few hundred ms each. Default: now. */
  readonly now?: Date;
  /** Draws new user ids and event ids; default Math.random. */
  readonly random?: Random;
}

export interface SyncResult {
  readonly deleted: IdcUser[];
  readonly created: IdcUser[];
  /** One `DeleteUser` per deleted user, then one `CreateUser` per created user, in call order. */
  readonly events: EventBridgeEnvelope[];
}

/** Applies the change to the Google directory, then syncs IdC. */
export function applyMembershipChange(
  org: SandboxOrg,
  change: MembershipChange,
  options: SyncOptions = {},
): SyncResult {
  const random = options.random ?? Math.random;
  const people = peopleByEmail(org);
  for (const { group, email, id } of change.add ?? []) {
    if (!org.google.hasGroup(group)) throw new NotFoundError(`no Google group ${group}`);
    org.google.addMember(group, {
      id: id ?? people.get(email.toLowerCase())?.googleId ?? `1${randomDigits(random, 20)}`,
      email: email.toLowerCase(),
      type: 'USER',
      role: 'MEMBER',
      status: 'ACTIVE',
    });
  }
  for (const { group, email } of change.remove ?? []) org.google.removeMember(group, email);
  return syncIdentityCenter(org, { ...options, random });
}

/**
 * The sync pass alone: deletes every SCIM-provisioned IdC user whose e-mail is in no configured
 * group (nested groups flattened) and creates an IdC user for every member without one. IdC
 * users created by hand (no SCIM external id) are never touched, as the real sync leaves them.
 */
export function syncIdentityCenter(org: SandboxOrg, options: SyncOptions = {}): SyncResult {
  const random = options.random ?? Math.random;
  const issued = issuedUserIds(org);
  const entitled = new Map<string, GoogleMember>();
  for (const group of org.groups)
    for (const member of org.google.listMembers(group, true))
      entitled.set(member.email.toLowerCase(), member);

  const deleted = org.identityStore
    .list()
    .filter((u) => isScimProvisioned(u) && !entitled.has(primaryEmail(u).toLowerCase()));
  for (const user of deleted) org.identityStore.deleteUser(user.userId);
  // QuickSight follows IdC: IAM_IDENTITY_CENTER users of people who left become inactive.
  followIdentityCenterGroups(org, new Set(entitled.keys()));

  const people = peopleByEmail(org);
  const created: IdcUser[] = [];
  for (const [email, member] of entitled) {
    if (org.identityStore.findByUserName(email)) continue;
    const displayName = people.get(email)?.displayName ?? namesFromEmail(email).displayName;
    let user = idcUserFor(random, { email, displayName, googleId: member.id }, true);
    while (issued.has(user.userId)) user = { ...user, userId: randomUuid(random) };
    issued.add(user.userId);
    created.push(org.identityStore.createUser(user));
  }

  const calls = [
    ...deleted.map((u) => ({ name: 'DeleteUser', userId: u.userId })),
    ...created.map((u) => ({ name: 'CreateUser', userId: u.userId })),
  ];
  let at = (options.now ?? new Date()).getTime();
  const events = calls.map((call) => {
    const record: CloudTrailRecord = cloudTrailEvent({
      source: options.source ?? 'identitystore-scim.amazonaws.com',
      eventName: call.name,
      userId: call.userId,
      identityStoreId: org.identityStoreId,
      tenantId: org.scimTenantId,
      accountId: org.identityCenterAccountId ?? org.accountId,
      region: org.region,
      time: new Date(at),
      adminSession: org.subject,
      random,
    });
    at += 80 + randomInt(random, 400);
    return eventBridgeEnvelope(record, { random });
  });
  return { deleted, created, events };
}

/** Removes each person from every group they are a direct member of (nested ones too), then syncs. */
export function removeFromGroups(
  org: SandboxOrg,
  emails: readonly string[],
  options: SyncOptions = {},
): SyncResult {
  const leaving = new Set(emails.map((e) => e.toLowerCase()));
  const remove = allGroups(org).flatMap((group) =>
    org.google
      .directMembers(group)
      .filter((m) => m.type === 'USER' && leaving.has(m.email.toLowerCase()))
      .map((m) => ({ group, email: m.email })),
  );
  return applyMembershipChange(org, { remove }, options);
}

/** Picks leavers (see `pickLeavers`), removes them from all their groups and syncs. */
export function removePeople(
  org: SandboxOrg,
  pick: PickLeaversOptions,
  options: SyncOptions = {},
): SyncResult & { readonly leavers: Leavers } {
  const leavers = pickLeavers(org, pick);
  return { ...removeFromGroups(org, leavers.emails, options), leavers };
}

/** The configured groups and every group nested in them. */
export function allGroups(org: SandboxOrg): string[] {
  const seen = new Set<string>();
  const visit = (group: string) => {
    const key = group.toLowerCase();
    if (seen.has(key)) return;
    seen.add(key);
    for (const m of org.google.directMembers(key)) if (m.type === 'GROUP') visit(m.email);
  };
  for (const group of org.groups) visit(group);
  return [...seen];
}

export function isScimProvisioned(user: IdcUser): boolean {
  return user.externalIds.some((x) => x.issuer === SCIM_ISSUER);
}

function primaryEmail(user: IdcUser): string {
  return user.emails.find((e) => e.primary)?.value ?? user.emails[0]?.value ?? user.userName;
}

/**
 * Every IdC user id a store has held since the simulator first saw it: IdC never reuses an id,
 * so a caller replaying the same seed still gets fresh ones.
 */
const issuedIds = new WeakMap<SandboxOrg['identityStore'], Set<string>>();

function issuedUserIds(org: SandboxOrg): Set<string> {
  let ids = issuedIds.get(org.identityStore);
  if (!ids) {
    ids = new Set();
    issuedIds.set(org.identityStore, ids);
  }
  for (const user of org.identityStore.list()) ids.add(user.userId);
  return ids;
}

function peopleByEmail(org: SandboxOrg): Map<string, OrgPerson> {
  return new Map(org.people.map((p) => [p.email, p]));
}
