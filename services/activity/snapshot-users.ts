import type { QuickSightUser } from '../../shared/domain.js';
import type { DynamoSnapshotStore } from '../../shared/dynamo/snapshot-store.js';
import { scopeKeyOf } from '../../shared/quicksight-scopes.js';

/**
 * The QuickSight users of the newest COMPLETE snapshot, or undefined when there is none (a
 * PARTIAL snapshot is never used): what on-behalf-of events and email rows resolve against.
 */
export async function newestSnapshotUsers(
  snapshots: Pick<DynamoSnapshotStore, 'latestComplete' | 'quickSightUsers'>,
): Promise<{ runId: string; users: QuickSightUser[] } | undefined> {
  const [latest] = await snapshots.latestComplete(1);
  if (!latest) return undefined;
  const users: QuickSightUser[] = [];
  for await (const page of snapshots.quickSightUsers(latest.runId)) users.push(...page);
  return { runId: latest.runId, users };
}

/**
 * The users of one QuickSight scope (`QuickSightUser.scope`; absent: `homeKey`, the home
 * account's configured namespace). A console export (`activity import`) is of one account: its
 * rows name that account's users only, and its "nothing since" span says nothing of another's.
 */
export function usersOfScope(
  users: readonly QuickSightUser[],
  scopeKey: string,
  homeKey: string,
): QuickSightUser[] {
  return users.filter((u) => scopeKeyOf(u, homeKey) === scopeKey);
}
