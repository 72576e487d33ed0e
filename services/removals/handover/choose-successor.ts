import { ownedCountsText } from '../../../shared/asset-owner-actions.js';
import {
  type AssetSuccessor,
  type CandidateUser,
  noSuccessorReason,
  successorCandidates,
  successorProblem,
} from '../../../shared/asset-successor.js';
import type { AssetOwnership, OwnedAsset } from '../../../shared/aws/quicksight-assets.js';

/**
 * Who receives a departing user's assets, for the worker's handover (./hand-over-assets.ts) and
 * the plan's view of it (./plan-view.ts): the candidates of IDSYNC_ASSET_SUCCESSOR in order
 * (shared/asset-successor.ts), each described once per process (DescribeUser), the first that
 * can own; else the reason the task is deferred.
 */

export interface SuccessorSettings {
  readonly successor?: AssetSuccessor;
  /** `manager:`: the QuickSight user names of the person's manager (Google Directory). */
  readonly managerUserNames?: (email: string) => Promise<readonly string[]>;
}

/** DescribeUser remembered per name (a failed look-up is not: the next task asks again). */
export function cachedDescribe(
  assets: Pick<AssetOwnership, 'describeUser'>,
): (name: string) => Promise<CandidateUser | undefined> {
  const users = new Map<string, Promise<CandidateUser | undefined>>();
  return (name) => {
    let found = users.get(name);
    if (!found) {
      found = assets.describeUser(name);
      found.catch(() => users.delete(name));
      users.set(name, found);
    }
    return found;
  };
}

/** The first usable candidate, or the reason there is none. */
export async function chooseSuccessor(
  settings: SuccessorSettings,
  describe: (name: string) => Promise<CandidateUser | undefined>,
  departing: { readonly email: string; readonly arn: string },
  owned: readonly Pick<OwnedAsset, 'type'>[],
): Promise<{ user: CandidateUser } | { reason: string }> {
  if (!settings.successor) return { reason: noSuccessorReason(ownedCountsText(owned)) };
  const managers =
    settings.successor.kind === 'manager' && settings.managerUserNames
      ? await settings.managerUserNames(departing.email)
      : [];
  let problem = '';
  for (const name of successorCandidates(settings.successor, managers)) {
    const user = await describe(name);
    problem = successorProblem(name, user, departing.arn) ?? '';
    if (!problem && user) return { user };
  }
  return { reason: `owns ${ownedCountsText(owned)}; ${problem}` };
}
