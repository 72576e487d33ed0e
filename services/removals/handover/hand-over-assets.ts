import { holdsOwnerActions } from '../../../shared/asset-owner-actions.js';
import type { AssetSuccessor } from '../../../shared/asset-successor.js';
import type { AssetOwnership, OwnedAsset } from '../../../shared/aws/quicksight-assets.js';
import type { AuditRecord } from '../../../shared/dynamo/audit-store.js';
import type { Task } from '../../../shared/task.js';
import type { HandedOverAsset, HandOverAssets, HandoverResult } from '../worker/handover-port.js';
import { cachedDescribe, chooseSuccessor } from './choose-successor.js';

/**
 * The worker's asset handover (the HandOverAssets port of ../worker/handover-port.ts): what the
 * task's user owns alone is found (AssetOwnership.soleOwned), the successor chosen
 * (IDSYNC_ASSET_SUCCESSOR, shared/asset-successor.ts), each asset granted to the successor with
 * the type's owner action set and verified with Describe*Permissions, and each one audited.
 *
 * HANDED-OVER ASSETS ARE AUDITED ONCE: the row of an asset is written with `appendOnce` under
 * `handoverKey` (the task execution's run and start, the task, the asset), the same key in any
 * run that finishes this execution, so a rerun after a SIGKILL between the grant and the call
 * adds no second row (a rerun's search may still list the asset: searches are eventually
 * consistent; its grant is then a no-op).
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
    appendOnce(
      record: AuditRecord,
      key: { readonly runId: string; readonly sk: string },
    ): Promise<'written' | 'exists'>;
  };
  /** The worker run (the row's `runId` when the task carries no execution). */
  readonly runId: string;
  readonly now?: () => Date;
}

/** The audit key of one handed-over asset of a task execution (see the file comment). */
export function handoverKey(
  task: Pick<Task, 'taskId' | 'execRunId' | 'execAt' | 'updatedAt'>,
  runId: string,
  asset: Pick<OwnedAsset, 'type' | 'id'>,
): { readonly runId: string; readonly sk: string } {
  return {
    runId: task.execRunId ?? runId,
    sk: `${task.execAt ?? task.updatedAt}#handover#${task.taskId}#${asset.type}/${asset.id}`,
  };
}

export function createHandOverAssets(deps: HandoverDeps): HandOverAssets {
  const describe = cachedDescribe(deps.assets);
  const now = deps.now ?? (() => new Date());

  return async (task: Task): Promise<HandoverResult> => {
    const owned = await deps.assets.soleOwned(task.arn);
    if (owned.length === 0) return { kind: 'nothing_owned' };
    const chosen = await chooseSuccessor(deps, describe, task, owned);
    if ('reason' in chosen) return { kind: 'deferred', reason: chosen.reason };
    const to = chosen.user;
    // A few assets at a time (each grant, then its check, then its row): one user's handover
    // takes the time of its slowest assets, not of all of them in a row; the pacer keeps the rate.
    const results = await inBatches(owned, HANDOVER_PARALLEL, async (asset) => {
      await deps.assets.grantOwner(asset, to.arn);
      if (!holdsOwnerActions(asset.type, await deps.assets.permissions(asset), to.arn))
        return `the handover of ${asset.type} ${asset.id} to ${to.userName} did not verify`;
      const item: HandedOverAsset = {
        type: asset.type.toUpperCase(),
        id: asset.id,
        ...(asset.name !== undefined ? { name: asset.name } : {}),
        arn: asset.arn,
        from: task.arn,
        to: to.arn,
      };
      await deps.audit.appendOnce(
        {
          runId: deps.runId,
          at: now().toISOString(),
          kind: 'handover',
          email: task.email,
          userName: task.userName,
          role: task.role,
          source: task.source,
          reason: `handed over to ${to.userName}`,
          detail: { taskId: task.taskId, successor: to.userName, ...item },
        },
        handoverKey(task, deps.runId, asset),
      );
      return item;
    });
    const failed = results.find((r): r is string => typeof r === 'string');
    if (failed !== undefined) return { kind: 'deferred', reason: failed };
    const handed = results as HandedOverAsset[];
    return { kind: 'handed_over', assets: handed };
  };
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
