import type { DynamoActivityStore } from '../../shared/dynamo/activity-store.js';
import { type PendingEvents, pendingDeltas } from '../../shared/pending-events.js';
import type { UserDirectory } from './resolve-users.js';

/**
 * The first step of every `activity sync`: the on-behalf-of events kept pending
 * (shared/pending-events.ts) are tried again against the user directory of this run (the newest
 * COMPLETE snapshot and the identity map, which may have learned their IdC user since). An IdC
 * user that now resolves has its evidence merged into its users' records first and its pending
 * item deleted second, so a crash in between only merges it again at the next sync (merging is
 * idempotent); the delete is conditional on the item's version, so evidence added meanwhile stays.
 */

export interface PendingRetry {
  /** Events of the pending items this run attributed (and deleted). */
  readonly resolved: number;
  /** Pending items (IdC users) and their events still not attributed. */
  readonly leftUsers: number;
  readonly leftEvents: number;
  /** The IdC user ids still pending. */
  readonly left: ReadonlySet<string>;
}

export async function retryPendingEvents(
  store: Pick<DynamoActivityStore, 'pendingEvents' | 'deletePending' | 'recordMany'>,
  directory: Pick<UserDirectory, 'usersOfIdcUser'>,
): Promise<PendingRetry> {
  let resolved = 0;
  const left = new Set<string>();
  let leftEvents = 0;
  const keep = (item: PendingEvents) => {
    left.add(item.idcUserId);
    leftEvents += item.events;
  };
  for (const item of await store.pendingEvents()) {
    const users = await directory.usersOfIdcUser(item.idcUserId);
    if (users.length === 0) {
      keep(item);
      continue;
    }
    await store.recordMany(pendingDeltas(item, users), { exact: true });
    if (await store.deletePending(item)) resolved += item.events;
    else keep(item);
  }
  return { resolved, leftUsers: left.size, leftEvents, left };
}
