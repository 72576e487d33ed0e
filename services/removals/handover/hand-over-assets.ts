import { holdsOwnerActions } from '../../../shared/asset-owner-actions.js';
import type { AssetSuccessor } from '../../../shared/asset-successor.js';
import type { AssetOwnership, OwnedAsset } from '../../../shared/aws/quicksight-assets.js';
import type { AuditRecord, StoredAuditRecord } from '../../../shared/dynamo/audit-store.js';
import type { Task } from '../../../shared/task.js';
import type { HandedOverAsset, HandOverAssets, HandoverResult } from '../worker/handover-port.js';
import {
  cachedDescribe,
  chooseSuccessor,
  type LeavingOwner,
  livingByDescribe,
  sharesToHandOver,
} from './handover-planning.js';
import {
  type AuditKey,
  type HandoverState,
  handoverKey,
  handoverRow,
  type RecordedAsset,
  recordedAssets,
  stateKey,
} from './handover-rows.js';

/**
 * The worker's asset handover (the HandOverAssets port of ../worker/handover-port.ts): what the
 * task's user owns alone is found (AssetOwnership.owned), and what it owns with others whose other
 * owners are all gone or cannot own (./handover-planning.ts); the successor chosen
 * (IDSYNC_ASSET_SUCCESSOR, shared/asset-successor.ts), each asset granted to the successor with
 * the type's owner action set and verified with Describe*Permissions, and each one audited
 * before and after its grant (./handover-rows.ts: a `granting` row, then a `verified` row).
 *
 * An asset recorded `granting` and never `verified` (a run killed between the grant and its
 * check) is handed over again with what the search finds: the search no longer lists it once
 * the successor co-owns it, so the task's rows are what still name it. A grant sent again is a
 * no-op at QuickSight; every row is written once (`appendOnce` under the asset's first key).
 *
 * No successor, a successor that cannot own, or a grant that does not verify → `deferred` with
 * the reason: the worker gives the task back unrun, never a call that orphans.
 */

export interface HandoverDeps {
  readonly assets: AssetOwnership;
  /** IDSYNC_ASSET_SUCCESSOR; absent: a user who owns something is deferred. */
  readonly successor?: AssetSuccessor;
  /** `manager:`: the QuickSight user names of the person's manager (Google Directory). */
  readonly managerUserNames?: (email: string) => Promise<readonly string[]>;
  readonly audit: {
    appendOnce(record: AuditRecord, key: AuditKey): Promise<'written' | 'exists'>;
    /** The person's audit rows from `since` on (the task's earlier handover rows among them). */
    byEmail(email: string, since?: string): AsyncIterable<StoredAuditRecord[]>;
  };
  /** Whether a co-owner is leaving too (./handover-planning.ts `leavingByTasks`); absent: none. */
  readonly leaving?: LeavingOwner;
  /** The worker run (the row's `runId` when the task carries no execution). */
  readonly runId: string;
  readonly now?: () => Date;
}

export { handoverKey };

export function createHandOverAssets(deps: HandoverDeps): HandOverAssets {
  const describe = cachedDescribe(deps.assets);
  const now = deps.now ?? (() => new Date());

  return async (task: Task): Promise<HandoverResult> => {
    const recorded = await recordedOf(deps, task);
    const { sole, shared } = await deps.assets.owned(task.arn);
    // Co-owners are looked up afresh for each task (one may have been deleted since the last).
    const living = livingByDescribe(cachedDescribe(deps.assets), deps.leaving);
    const orphaned = await sharesToHandOver(shared, task.arn, living);
    const found = [...sole, ...orphaned];
    const owned = [...found];
    const assetKey = (a: Pick<OwnedAsset, 'type' | 'id'>) => `${a.type}/${a.id}`;
    const listed = new Set(found.map(assetKey));
    for (const r of recorded)
      if (!r.verified && !listed.has(assetKey(r.asset))) owned.push(r.asset);
    if (owned.length === 0) return { kind: 'nothing_owned' };
    const chosen = await chooseSuccessor(deps, describe, task, owned);
    if ('reason' in chosen) return { kind: 'deferred', reason: chosen.reason };
    const to = chosen.user;
    const bases = new Map(recorded.map((r) => [assetKey(r.asset), r.base]));
    // A few assets at a time (each: its `granting` row, the grant, its check, its `verified`
    // row): one user's handover takes the time of its slowest assets, not of all of them in a
    // row; the pacer keeps the rate.
    const results = await inBatches(owned, HANDOVER_PARALLEL, async (asset) => {
      const base = bases.get(assetKey(asset)) ?? handoverKey(task, deps.runId, asset);
      const item: HandedOverAsset = {
        type: asset.type.toUpperCase(),
        id: asset.id,
        ...(asset.name !== undefined ? { name: asset.name } : {}),
        arn: asset.arn,
        from: task.arn,
        to: to.arn,
      };
      const row = (state: HandoverState) =>
        handoverRow(task, state, item, asset, to.userName, deps.runId, now().toISOString());
      await deps.audit.appendOnce(row('granting'), stateKey(base, 'granting'));
      await deps.assets.grantOwner(asset, to.arn);
      if (!holdsOwnerActions(asset.type, await deps.assets.permissions(asset), to.arn))
        return `the handover of ${asset.type} ${asset.id} to ${to.userName} did not verify`;
      await deps.audit.appendOnce(row('verified'), stateKey(base, 'verified'));
      return item;
    });
    const failed = results.find((r): r is string => typeof r === 'string');
    if (failed !== undefined) return { kind: 'deferred', reason: failed };
    const handed = results as HandedOverAsset[];
    return { kind: 'handed_over', assets: handed };
  };
}

/**
 * The task's assets its earlier handover rows name (from the task's creation on). A task with no
 * email has rows without one (shared/dynamo/audit-store.ts drops empty keys): none to read.
 */
async function recordedOf(deps: HandoverDeps, task: Task): Promise<RecordedAsset[]> {
  if (!task.email) return [];
  const rows: StoredAuditRecord[] = [];
  for await (const page of deps.audit.byEmail(task.email, task.createdAt)) rows.push(...page);
  return recordedAssets(rows, task.taskId);
}

/** Assets handed over at once within one user's handover. */
const HANDOVER_PARALLEL = 5;

/** `work` over `items`, `size` at a time, results in the items' order. */
async function inBatches<T, R>(
  items: readonly T[],
  size: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size)
    out.push(...(await Promise.all(items.slice(i, i + size).map(work))));
  return out;
}
