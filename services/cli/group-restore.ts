import type { AuditRecord } from '../../shared/dynamo/audit-store.js';

/**
 * What `idsync restore EMAIL` puts back, from the person's audit rows (pure): every Google group
 * a `leave_group` task took them out of (outcome `left_group`, the group in `detail.group`) and
 * that no later restore put them back in (outcome `restored` or `already_member` of a `restore`
 * row). Rows are taken in time order, so a person removed, restored and removed again is owed
 * the last removal.
 */

export const RESTORE_DECISION = 'restore';
export const RESTORE_SOURCE = 'restore';

export interface RemovedGroup {
  readonly group: string;
  /** When idsync took the person out (the outcome row's time). */
  readonly leftAt: string;
  /** The run whose worker made the removal. */
  readonly runId: string;
}

export function groupsToRestore(rows: readonly AuditRecord[]): RemovedGroup[] {
  const owed = new Map<string, RemovedGroup>();
  const ordered = [...rows].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  for (const row of ordered) {
    if (row.kind !== 'outcome') continue;
    const group = row.detail?.group;
    if (typeof group !== 'string' || group === '') continue;
    if (row.outcome === 'left_group') owed.set(group, { group, leftAt: row.at, runId: row.runId });
    else if (
      row.decision === RESTORE_DECISION &&
      (row.outcome === 'restored' || row.outcome === 'already_member')
    )
      owed.delete(group);
  }
  return [...owed.values()].sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
}

/** The audit row of one group put back (or not): kind `outcome` when applied, else `decision`. */
export function restoreRow(
  facts: {
    readonly runId: string;
    readonly at: string;
    readonly email: string;
    readonly removed: RemovedGroup;
  } & (
    | { readonly applied: false }
    | {
        readonly applied: true;
        readonly outcome: 'restored' | 'already_member' | 'failed';
        readonly error?: string;
      }
  ),
): AuditRecord {
  const { removed } = facts;
  return {
    runId: facts.runId,
    at: facts.at,
    kind: facts.applied ? 'outcome' : 'decision',
    email: facts.email,
    source: RESTORE_SOURCE,
    decision: RESTORE_DECISION,
    reason: facts.applied
      ? `${facts.email} added back to Google group ${removed.group} (taken out by idsync at ${removed.leftAt})`
      : `dry run: ${facts.email} would be added back to Google group ${removed.group} (taken out by idsync at ${removed.leftAt})`,
    ...(facts.applied ? { outcome: facts.outcome } : {}),
    detail: {
      group: removed.group,
      leftAt: removed.leftAt,
      leftInRun: removed.runId,
      ...(facts.applied && facts.error !== undefined ? { error: facts.error } : {}),
    },
  };
}
