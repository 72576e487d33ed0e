import {
  mustHandOverAsset,
  otherOwners,
  quickSightUserNameOf,
} from '../../../shared/asset-orphan-rule.js';
import { canOwnAssets } from '../../../shared/asset-owning-roles.js';
import type { CandidateUser } from '../../../shared/asset-successor.js';
import type { OwnedAsset, SharedAsset } from '../../../shared/aws/quicksight-assets.js';

/**
 * Which of a departing user's shared assets (owned with others) must still be handed over: those
 * none of whose other owners is a living QuickSight user that can own (shared/asset-orphan-rule.ts).
 * A user owner is looked up by the name in its ARN (DescribeUser, through `describe`); a group or
 * any other principal counts as living. A look-up that fails throws: the caller defers the task.
 */

/** Whether an owner principal is a living principal that can own assets. */
export type LivingOwner = (principal: string) => Promise<boolean>;

/**
 * Living by DescribeUser: a user ARN whose user exists with that ARN and an owning role; `gone`
 * (principals the caller knows are leaving, e.g. in the same plan) are not living.
 */
export function livingByDescribe(
  describe: (name: string) => Promise<CandidateUser | undefined>,
  gone: ReadonlySet<string> = new Set(),
): LivingOwner {
  return async (principal) => {
    if (gone.has(principal)) return false;
    const name = quickSightUserNameOf(principal);
    if (name === undefined) return true;
    const user = await describe(name);
    return user !== undefined && user.arn === principal && canOwnAssets(user.role);
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
