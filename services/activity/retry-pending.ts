import type { DynamoActivityStore } from '../../shared/dynamo/activity-store.js';
import { type PendingEvents, pendingDeltas, pendingSpan } from '../../shared/pending-events.js';
import type { UserDirectory } from './resolve-users.js';
import { LOOKUP_HISTORY_DAYS } from './sync-windows.js';

/**
 * The first step of every `activity sync`: the on-behalf-of events kept pending
 * (shared/pending-events.ts) are tried again against the user directory of this run (the newest
 * COMPLETE snapshot and the identity map, which may have learned their IdC user since). An IdC
 * user that now resolves has its evidence merged into its users' records first and its pending
 * item deleted second, so a crash in between only merges it again at the next sync (merging is
 * idempotent); the delete is conditional on the item's version, so evidence added meanwhile stays.
 * An item that still does not resolve is dropped once all its events are older than
 * `PENDING_KEPT_MS`: no idle window (at most 90 days, ending now) can reach them any more.
 */

/** 90 days (the most `inactive --days` asks) and one more, for the record's lag. */
export const PENDING_KEPT_MS = (LOOKUP_HISTORY_DAYS + 1) * 86_400_000;

export interface PendingRetry {
  /** Events of the pending items this run attributed (and deleted). */
  readonly resolved: number;
  /** Events of unresolved items dropped as older than any idle window. */
  readonly expired: number;
  /** Pending items (IdC users) and their events still not attributed. */
  readonly leftUsers: number;
  readonly leftEvents: number;
  /** The IdC user ids still pending. */
  readonly left: ReadonlySet<string>;
}

export async function retryPendingEvents(
  store: Pick<DynamoActivityStore, 'pendingEvents' | 'deletePending' | 'recordMany'>,
  directory: Pick<UserDirectory, 'usersOfIdcUser'>,
  nowMs: number = Date.now(),
): Promise<PendingRetry> {
  let resolved = 0;
  let expired = 0;
  const left = new Set<string>();
  let leftEvents = 0;
  const keep = (item: PendingEvents) => {
    left.add(item.idcUserId);
    leftEvents += item.events;
  };
  for (const item of await store.pendingEvents()) {
    const users = await directory.usersOfIdcUser(item.idcUserId);
    if (users.length === 0) {
      const newest = pendingSpan(item)?.to;
      const stale = newest !== undefined && nowMs - Date.parse(newest) > PENDING_KEPT_MS;
      if (stale && (await store.deletePending(item))) expired += item.events;
      else keep(item);
      continue;
    }
    await store.recordMany(pendingDeltas(item, users), { exact: true });
    if (await store.deletePending(item)) resolved += item.events;
    else keep(item);
  }
  return { resolved, expired, leftUsers: left.size, leftEvents, left };
}
