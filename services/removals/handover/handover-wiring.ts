import type { AssetSuccessor } from '../../../shared/asset-successor.js';
import type { AssetOwnership } from '../../../shared/aws/quicksight-assets.js';
import type { ManagerLookup } from '../../../shared/google/google-managers.js';
import type { SnapshotReading } from '../snapshot-reading.js';
import { createPlanHandoverView } from './plan-view.js';

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
    readonly assetReads?: () => { readonly assets: AssetOwnership; close(): void };
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
    /** The plan's view of the handover (absent without asset reads: the worker decides). */
    handoverView() {
      if (!clients.assetReads) return {};
      reads ??= clients.assetReads();
      return { handoverView: createPlanHandoverView(reads.assets, successorSettings()) };
    },
    close() {
      reads?.close();
      reads = undefined;
    },
  };
}
