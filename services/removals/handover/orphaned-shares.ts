import {
  mustHandOverAsset,
  otherOwners,
  quickSightUserOf,
} from '../../../shared/asset-orphan-rule.js';
import type { CandidateUser } from '../../../shared/asset-successor.js';
import type { OwnedAsset, SharedAsset } from '../../../shared/aws/quicksight-assets.js';
import { scopeKey } from '../../../shared/quicksight-scopes.js';
import { canOwnAssets, needsHandover } from '../../../shared/removal-rules.js';
import { type Task, taskIdFor } from '../../../shared/task.js';

/**
 * Which of a departing user's shared assets (owned with others) must still be handed over: those
 * none of whose other owners is a living QuickSight user that can own (shared/asset-orphan-rule.ts).
 * A user owner is looked up by the name in its ARN (DescribeUser, through `describe`); a group or
 * any other principal counts as living. A look-up that fails throws: the caller defers the task.
 *
 * An owner that exists but is leaving too is not living: the worker runs several tasks at once,
 * so two co-owners' handovers may both run before either deletion, each seeing the other still
 * there. A co-owner whose own task is open (PENDING or IN_PROGRESS) and ends its ownership
 * (`needsHandover`: a deletion, or a downgrade to a role that cannot own) is leaving; then both
 * hand the asset over (the second grant is a no-op), and none is left without an owner. The plan
 * counts the owners it deletes itself as leaving.
 */

/** Whether an owner principal is a living principal that can own assets. */
export type LivingOwner = (principal: string) => Promise<boolean>;

/** Whether a user owner is leaving too (see the file comment). */
export type LeavingOwner = (principal: string) => boolean | Promise<boolean>;

/**
 * Living by DescribeUser: a user ARN whose user exists with that ARN and an owning role, and is
 * not `leaving`.
 */
export function livingByDescribe(
  describe: (name: string) => Promise<CandidateUser | undefined>,
  leaving: LeavingOwner = () => false,
): LivingOwner {
  return async (principal) => {
    if (await leaving(principal)) return false;
    const named = quickSightUserOf(principal);
    if (named === undefined) return true;
    const user = await describe(named.userName);
    return user !== undefined && user.arn === principal && canOwnAssets(user.role);
  };
}

/** Task statuses of a task that may still run: its user may go any moment. */
const OPEN_STATUSES: ReadonlySet<Task['status']> = new Set(['PENDING', 'IN_PROGRESS']);

/**
 * Leaving by the task store: the user's deletion task (`taskIdFor`, under the scope key of the
 * ARN's account and namespace: `homeAccountId` keeps bare namespace keys) or role-change task
 * (`#role`) is open and ends its ownership.
 */
export function leavingByTasks(
  tasks: {
    get(taskId: string): Promise<Task | undefined>;
  },
  homeAccountId?: string,
): LeavingOwner {
  return async (principal) => {
    const named = quickSightUserOf(principal);
    if (named === undefined) return false;
    const account = principal.split(':')[4] ?? '';
    const key =
      homeAccountId === undefined
        ? named.namespace
        : scopeKey(homeAccountId, account, named.namespace);
    const id = taskIdFor(key, { userName: named.userName });
    const found = await Promise.all([tasks.get(id), tasks.get(`${id}#role`)]);
    return found.some((t) => t !== undefined && OPEN_STATUSES.has(t.status) && needsHandover(t));
  };
}

/** The shared assets to hand over before `departing` goes (each looked-up owner asked once). */
export async function sharesToHandOver(
  shared: readonly SharedAsset[],
  departing: string,
  living: LivingOwner,
): Promise<OwnedAsset[]> {
  const answers = new Map<string, Promise<boolean>>();
  const ask = (p: string) => {
    let a = answers.get(p);
    if (!a) {
      a = living(p);
      answers.set(p, a);
    }
    return a;
  };
  const out: OwnedAsset[] = [];
  for (const asset of shared) {
    const others = otherOwners(asset.type, asset.permissions, departing);
    const alive = new Set<string>();
    for (const p of others) if (await ask(p)) alive.add(p);
    if (mustHandOverAsset(asset.type, asset.permissions, departing, alive)) {
      const { permissions: _, ...owned } = asset;
      out.push(owned);
    }
  }
  return out;
}
