import type { Task } from '../../../shared/task.js';

/**
 * The worker's asset handover, as a port: before a task deletes a user who can own assets, or
 * changes its role away from one that can, everything the user owns alone is given to the
 * successor (QuickSight `Search*` with DIRECT_QUICKSIGHT_SOLE_OWNER, `Update*Permissions`,
 * verified). The worker only sends the task's call after `nothing_owned` or `handed_over`;
 * `deferred` gives the task back unrun with the reason (never a call that orphans assets).
 */

/** One asset given to the successor: what the audit and the report list. */
export interface HandedOverAsset {
  /** The QuickSight asset type, e.g. `DASHBOARD`, `ANALYSIS`, `DATASET`, `DATASOURCE`, `FOLDER`. */
  readonly type: string;
  readonly id: string;
  readonly name?: string;
  readonly arn: string;
  /** The departing user's ARN. */
  readonly from: string;
  /** The successor's ARN. */
  readonly to: string;
}

export type HandoverResult =
  | { readonly kind: 'nothing_owned' }
  | { readonly kind: 'handed_over'; readonly assets: readonly HandedOverAsset[] }
  | { readonly kind: 'deferred'; readonly reason: string };

/** Hands over what the task's user owns alone (idempotent: a rerun finds nothing left). */
export type HandOverAssets = (task: Task) => Promise<HandoverResult>;
