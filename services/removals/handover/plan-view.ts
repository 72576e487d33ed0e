import type { AssetOwnership } from '../../../shared/aws/quicksight-assets.js';
import type { Decision } from '../../../shared/domain.js';
import { canOwnAssets } from '../../../shared/removal-rules.js';
import { cachedDescribe, chooseSuccessor, type SuccessorSettings } from './choose-successor.js';
import { livingByDescribe, sharesToHandOver } from './orphaned-shares.js';

/**
 * The plan's view of the handover (read-only: Search*, List*, Describe*Permissions, DescribeUser;
 * never a grant): a `delete` of a user who can own assets and owns some alone becomes `deferred`
 * with the reason when no successor can take them (shared ones too when no other owner stays:
 * ./orphaned-shares.ts), and otherwise keeps `delete` with the detail
 * "hands over N assets to X". Only users of owning roles are searched, so a plan of Readers makes
 * no QuickSight call. The worker decides again just before the call (./hand-over-assets.ts).
 */

/** The detail of a `delete` whose user's assets go to a successor. */
export function handsOverDetail(count: number, successor: string): string {
  return `hands over ${count} asset${count === 1 ? '' : 's'} to ${successor}`;
}

export function createPlanHandoverView(
  assets: AssetOwnership,
  settings: SuccessorSettings,
): (decisions: readonly Decision[]) => Promise<Decision[]> {
  const describe = cachedDescribe(assets);
  return async (decisions) => {
    // Owners deleted (or downgraded to a role that cannot own) by this same plan are not living: the worker hands their shares over to
    // whichever of them goes last, and the plan says so for each.
    const leaving = new Set(
      decisions.flatMap((d) => (endsOwnership(d) ? [d.quickSightUser.arn] : [])),
    );
    const living = livingByDescribe(describe, (p) => leaving.has(p));
    const out: Decision[] = [];
    for (const d of decisions) {
      const user = d.quickSightUser;
      if (d.decision !== 'delete' || !user || !canOwnAssets(user.role)) {
        out.push(d);
        continue;
      }
      const { sole, shared } = await assets.owned(user.arn);
      const owned = [...sole, ...(await sharesToHandOver(shared, user.arn, living))];
      if (owned.length === 0) {
        out.push(d);
        continue;
      }
      const chosen = await chooseSuccessor(
        settings,
        describe,
        { email: d.email, arn: user.arn },
        owned,
      );
      if ('reason' in chosen) out.push({ ...d, decision: 'deferred', reason: chosen.reason });
      else {
        const note = handsOverDetail(owned.length, chosen.user.userName);
        out.push({ ...d, detail: d.detail ? `${d.detail}; ${note}` : note });
      }
    }
    return out;
  };
}

/** A decision that ends its user's ownership: a deletion, or a downgrade to a role that cannot own. */
function endsOwnership(d: Decision): d is Decision & { quickSightUser: { arn: string } } {
  if (!d.quickSightUser) return false;
  if (d.decision === 'delete') return true;
  return d.decision === 'downgrade' && !canOwnAssets(d.targetRole);
}
