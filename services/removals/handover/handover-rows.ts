import { ASSET_TYPES, type AssetType } from '../../../shared/asset-owner-actions.js';
import type { OwnedAsset } from '../../../shared/aws/quicksight-assets.js';
import type { AuditRecord, StoredAuditRecord } from '../../../shared/dynamo/audit-store.js';
import type { Task } from '../../../shared/task.js';
import type { HandedOverAsset } from '../worker/handover-port.js';

/**
 * The audit rows of a handover (kind `handover`), two per asset:
 *
 * A HANDOVER IS RECORDED BEFORE AND AFTER ITS GRANT: the `granting` row (type, id, name, from,
 * to) is written before Update*Permissions is sent, the `verified` row after Describe*Permissions
 * shows the successor holding the owner action set. Both are written with `appendOnce` under keys
 * made of the asset's first execution (`handoverKey`), so each is written once for the task
 * whatever run writes it. A SIGKILL between the grant and the `verified` row leaves the
 * `granting` row; the rerun's sole-owner search no longer lists the asset (the successor now
 * co-owns it), so the rerun reads the task's `granting` rows without a `verified` row
 * (`unconfirmed`) and grants and verifies those assets too.
 */

export const HANDOVER_STATES = ['granting', 'verified'] as const;
export type HandoverState = (typeof HANDOVER_STATES)[number];

export interface AuditKey {
  readonly runId: string;
  readonly sk: string;
}

/** The key base of one asset of a task execution: the run and start of the execution. */
export function handoverKey(
  task: Pick<Task, 'taskId' | 'execRunId' | 'execAt' | 'updatedAt'>,
  runId: string,
  asset: Pick<OwnedAsset, 'type' | 'id'>,
): AuditKey {
  return {
    runId: task.execRunId ?? runId,
    sk: `${task.execAt ?? task.updatedAt}#handover#${task.taskId}#${asset.type}/${asset.id}`,
  };
}

/** The key of an asset's row in `state`, from its key base. */
export function stateKey(base: AuditKey, state: HandoverState): AuditKey {
  return { runId: base.runId, sk: `${base.sk}#${state}` };
}

/** The row of an asset in `state`. */
export function handoverRow(
  task: Task,
  state: HandoverState,
  item: HandedOverAsset,
  asset: OwnedAsset,
  successor: string,
  runId: string,
  at: string,
): AuditRecord {
  return {
    runId,
    at,
    kind: 'handover',
    email: task.email,
    userName: task.userName,
    role: task.role,
    ...(task.scope === undefined ? {} : { scope: task.scope }),
    source: task.source,
    reason: state === 'granting' ? `handing over to ${successor}` : `handed over to ${successor}`,
    detail: { taskId: task.taskId, state, successor, assetType: asset.type, ...item },
  };
}

/** An asset the task's rows name, with the key base its rows are under. */
export interface RecordedAsset {
  readonly asset: OwnedAsset;
  readonly base: AuditKey;
  readonly verified: boolean;
}

/** The assets `rows` (the person's audit rows) record for `taskId`, one per asset. */
export function recordedAssets(
  rows: readonly StoredAuditRecord[],
  taskId: string,
): RecordedAsset[] {
  const byAsset = new Map<string, { asset: OwnedAsset; base: AuditKey; verified: boolean }>();
  for (const row of rows) {
    const d = row.detail;
    if (row.kind !== 'handover' || d?.taskId !== taskId) continue;
    const state = HANDOVER_STATES.find((s) => row.sk.endsWith(`#${s}`));
    const type = ASSET_TYPES.find((t) => t === d.assetType);
    if (state === undefined || type === undefined || typeof d.id !== 'string') continue;
    if (typeof d.arn !== 'string') continue;
    const key = `${type}/${d.id}`;
    const base = { runId: row.runId, sk: row.sk.slice(0, -`#${state}`.length) };
    const seen = byAsset.get(key);
    const asset: OwnedAsset = {
      type: type as AssetType,
      id: d.id,
      arn: d.arn,
      ...(typeof d.name === 'string' ? { name: d.name } : {}),
    };
    if (!seen) byAsset.set(key, { asset, base, verified: state === 'verified' });
    else if (state === 'verified') seen.verified = true;
  }
  return [...byAsset.values()];
}
