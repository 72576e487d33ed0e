import {
  type ActivityDelta,
  type ActivitySource,
  activityKey,
  activityUserName,
  combineDeltas,
} from '../../shared/activity-record.js';
import { isAuthoringEvent } from '../../shared/authoring.js';
import type { IdentityRecord, QuickSightUser } from '../../shared/domain.js';
import { normalizeEmail } from '../../shared/email.js';
import { combinePending, type PendingEvidence } from '../../shared/pending-events.js';
import { scopeKeyOf } from '../../shared/quicksight-scopes.js';
import { buildQuickSightIndex } from '../../shared/quicksight-user-rules.js';
import type { Attribution, UserRef } from './attribution.js';

/**
 * Turns attributions into activity-record deltas: on-behalf-of events resolved through the
 * identity map (IdC user id → emails) to that person's QuickSight users, matched by the one
 * matching rule of shared/quicksight-user-rules.ts against the newest COMPLETE snapshot's QuickSight
 * users; then one delta per user for a page of events. An on-behalf-of event whose IdC user
 * resolves to no QuickSight user names nobody *yet*: it comes back as pending evidence, one piece
 * per IdC user (shared/pending-events.ts), for the caller to keep and retry.
 */

export interface UserDirectory {
  /** QuickSight users of an IdC user id (through its emails); empty when unknown. */
  usersOfIdcUser(idcUserId: string): Promise<readonly UserRef[]>;
  /**
   * Whether a normalised user name is a QuickSight user of the snapshot: of the scope keyed
   * `scopeKey`, or (without it) of any scope.
   */
  isKnownUserName(normalizedUserName: string, scopeKey?: string): boolean;
}

export interface IdentityLookup {
  get(userId: string): Promise<IdentityRecord | undefined>;
}

/**
 * A directory over the identity map and a snapshot's QuickSight users (ids cached per run).
 * `homeKey` is the key of rows without a `scope` (IDSYNC_QUICKSIGHT_NAMESPACE); every user is
 * named under its scope's key.
 */
export function userDirectory(
  identities: IdentityLookup,
  quickSightUsers: readonly QuickSightUser[],
  homeKey: string,
): UserDirectory {
  const index = buildQuickSightIndex(quickSightUsers);
  const byPrincipal = new Map<string, QuickSightUser>();
  for (const u of quickSightUsers) if (u.principalId) byPrincipal.set(u.principalId, u);
  const scopeOf = (u: QuickSightUser): string => scopeKeyOf(u, homeKey);
  const names = new Set(quickSightUsers.map((u) => normalizeEmail(u.userName)));
  const scopedNames = new Set(
    quickSightUsers.map((u) => `${scopeOf(u)}#${normalizeEmail(u.userName)}`),
  );
  const cache = new Map<string, Promise<readonly UserRef[]>>();
  const resolve = async (idcUserId: string): Promise<readonly UserRef[]> => {
    const found = new Map<string, QuickSightUser>();
    // An IAM_IDENTITY_CENTER user's principal id ends with the IdC user id.
    for (const [principal, user] of byPrincipal)
      if (principal.endsWith(`/${idcUserId}`)) found.set(user.arn, user);
    const record = await identities.get(idcUserId);
    for (const email of record?.emails ?? [])
      for (const user of index.lookup(email)) found.set(user.arn, user);
    return [...found.values()].map((u) => ({
      namespace: scopeOf(u),
      userName: activityUserName(u),
    }));
  };
  return {
    usersOfIdcUser: (id) => {
      let hit = cache.get(id);
      if (!hit) {
        hit = resolve(id);
        cache.set(id, hit);
      }
      return hit;
    },
    isKnownUserName: (name, scopeKey) =>
      scopeKey === undefined ? names.has(name) : scopedNames.has(`${scopeKey}#${name}`),
  };
}

/** An on-behalf-of event's users within the scopes of the account it was recorded in. */
function inScopes(
  users: readonly UserRef[],
  a: { readonly scopeKeys?: readonly string[] },
): readonly UserRef[] {
  const keys = a.scopeKeys;
  return keys ? users.filter((u) => keys.includes(u.namespace)) : users;
}

export interface PageDeltas {
  readonly deltas: ActivityDelta[];
  /** Events attributed to at least one user, and on-behalf-of events that resolved to nobody. */
  readonly attributed: number;
  readonly unresolved: number;
  /** The unresolved events, folded per IdC user id (to keep and retry). */
  readonly pending: PendingEvidence[];
}

/** One delta per user for a page of attributions (ignored ones skipped). */
export async function deltasOf(
  attributions: readonly Attribution[],
  source: ActivitySource,
  directory: Pick<UserDirectory, 'usersOfIdcUser'>,
): Promise<PageDeltas> {
  const byKey = new Map<string, ActivityDelta>();
  let attributed = 0;
  let unresolved = 0;
  const pending = new Map<string, PendingEvidence>();
  for (const a of attributions) {
    if (a.kind === 'ignored') continue;
    const users =
      a.kind === 'user'
        ? [a.user, ...(a.also ?? [])]
        : inScopes(await directory.usersOfIdcUser(a.idcUserId), a);
    if (users.length === 0) {
      unresolved++;
      if (a.kind === 'on-behalf-of') {
        const mark = { at: a.at, eventName: a.eventName };
        const piece: PendingEvidence =
          a.evidence === 'creation'
            ? { idcUserId: a.idcUserId, created: mark, events: 1 }
            : { idcUserId: a.idcUserId, newest: { ...mark, source }, events: 1 };
        const known = pending.get(a.idcUserId);
        pending.set(a.idcUserId, known ? combinePending(known, piece) : piece);
      }
      continue;
    }
    attributed++;
    for (const user of users) {
      const delta: ActivityDelta =
        a.evidence === 'creation'
          ? { ...user, created: { at: a.at, eventName: a.eventName } }
          : {
              ...user,
              newest: { at: a.at, eventName: a.eventName, source },
              ...(isAuthoringEvent(a.eventName)
                ? { authored: { at: a.at, eventName: a.eventName, source } }
                : {}),
              spans: { [source]: { from: a.at, to: a.at } },
            };
      const key = activityKey(user.namespace, user.userName);
      const known = byKey.get(key);
      byKey.set(key, known ? combineDeltas(known, delta) : delta);
    }
  }
  return { deltas: [...byKey.values()], attributed, unresolved, pending: [...pending.values()] };
}
