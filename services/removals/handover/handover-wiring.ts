import type { AssetSuccessor } from '../../../shared/asset-successor.js';
import type { AssetOwnership } from '../../../shared/aws/quicksight-assets.js';
import type { Decision } from '../../../shared/domain.js';
import type { ManagerLookup } from '../../../shared/google/google-managers.js';
import type { SnapshotReading } from '../snapshot-reading.js';
import { createPlanHandoverView } from './plan-view.js';

type PlanHandoverView = ReturnType<typeof createPlanHandoverView>;

/**
 * The handover's settings as the composition root (../compose-removals.ts) hands them to the plan
 * and the worker: the successor (IDSYNC_ASSET_SUCCESSOR), the manager lookup for `manager:` (the
 * manager's QuickSight users are the newest snapshot's users with the manager's email), and the
 * plan's read-only view, whose QuickSight client is built at the first plan that asks.
 */
export function handoverWiring(
  successor: AssetSuccessor | undefined,
  clients: {
    readonly managers?: () => ManagerLookup;
    readonly assetReads?: () => {
      readonly assets: AssetOwnership;
      /** One QuickSight scope's asset reads, in its account (undefined: not configured). */
      readonly scoped?: (
        key: string | undefined,
      ) => { readonly assets: AssetOwnership } | undefined;
      close(): void;
    };
  },
  reading: Pick<SnapshotReading, 'forPlan'>,
) {
  let reads: ReturnType<NonNullable<typeof clients.assetReads>> | undefined;
  const managerUserNames = (build: () => ManagerLookup) => {
    let lookup: ManagerLookup | undefined;
    return async (email: string): Promise<string[]> => {
      lookup ??= build();
      const manager = (await lookup.managerOf(email))?.toLowerCase();
      if (!manager) return [];
      const { quickSightUsers } = await reading.forPlan();
      return quickSightUsers
        .filter((u) => u.email?.toLowerCase() === manager)
        .map((u) => u.userName);
    };
  };
  const successorSettings = () => ({
    ...(successor ? { successor } : {}),
    ...(clients.managers ? { managerUserNames: managerUserNames(clients.managers) } : {}),
  });
  return {
    successorSettings,
    /**
     * The plan's view of the handover (absent without asset reads: the worker decides), each
     * QuickSight scope's decisions through that scope's asset reads (its account and namespace);
     * a scope not configured is left as planned (the worker holds its tasks).
     */
    handoverView() {
      if (!clients.assetReads) return {};
      reads ??= clients.assetReads();
      const r = reads;
      const views = new Map<string, PlanHandoverView | undefined>();
      const viewOf = (key: string | undefined) => {
        if (!views.has(key ?? '')) {
          const assets = r.scoped ? r.scoped(key)?.assets : r.assets;
          views.set(key ?? '', assets && createPlanHandoverView(assets, successorSettings()));
        }
        return views.get(key ?? '');
      };
      const handoverView: PlanHandoverView = async (decisions) => {
        const byScope = new Map<string | undefined, number[]>();
        decisions.forEach((d, i) => {
          const key = d.quickSightUser?.scope;
          byScope.set(key, [...(byScope.get(key) ?? []), i]);
        });
        const out = [...decisions];
        for (const [key, indexes] of byScope) {
          const view = viewOf(key);
          if (!view) continue;
          const viewed = await view(indexes.map((i) => decisions[i] as Decision));
          indexes.forEach((i, j) => {
            out[i] = viewed[j] as Decision;
          });
        }
        return out;
      };
      return { handoverView };
    },
    close() {
      reads?.close();
      reads = undefined;
    },
  };
}
