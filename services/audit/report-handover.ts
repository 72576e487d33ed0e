import { ASSET_TYPES, type AssetType, ownedCountsText } from '../../shared/asset-owner-actions.js';
import type { AuditRecord } from '../../shared/dynamo/audit-store.js';

/**
 * The report's "Handed over" section, from a run's `handover` audit rows (pure; the rows are
 * described in docs/DATA-MODEL.md and written by services/removals/handover/handover-rows.ts):
 * each asset given to a successor before its owner's seat ended or was downgraded.
 *
 * AN ASSET IS HANDED OVER WHEN ITS `verified` ROW EXISTS: a `granting` row alone says the grant
 * was about to be sent and never confirmed (the run stopped in between; the next run finishes
 * it), so it is listed apart as "not confirmed". A row with no `state` (written before the two
 * states existed) was written after its check, so it counts as verified.
 */

export interface HandoverRow {
  /** `DASHBOARD`, `DATASET`, … */
  readonly type: string;
  readonly id: string;
  readonly name?: string;
  /** The departing user (QuickSight user name) and their email. */
  readonly from: string;
  readonly email: string;
  /** The successor's QuickSight user name. */
  readonly to: string;
}

export interface HandoverSection {
  /** Verified handovers, by type then name. */
  readonly assets: readonly HandoverRow[];
  /** Verified handovers by type (`DASHBOARD`: 3). */
  readonly byType: Readonly<Record<string, number>>;
  /** "3 dashboards, 2 datasets". */
  readonly text: string;
  /** Recorded `granting` with no `verified` row. */
  readonly unconfirmed: readonly HandoverRow[];
}

/** The section of `rows` (a run's audit rows), or undefined when the run handed nothing over. */
export function handoverSection(rows: readonly AuditRecord[]): HandoverSection | undefined {
  const granting = new Map<string, HandoverRow>();
  const verified = new Map<string, HandoverRow>();
  for (const r of rows) {
    if (r.kind !== 'handover') continue;
    const d = r.detail ?? {};
    if (typeof d.type !== 'string' || typeof d.id !== 'string') continue;
    const key = `${String(d.taskId ?? r.userName)}#${d.type}/${d.id}`;
    const row: HandoverRow = {
      type: d.type,
      id: d.id,
      ...(typeof d.name === 'string' && d.name ? { name: d.name } : {}),
      from: r.userName ?? '',
      email: r.email ?? '',
      to: typeof d.successor === 'string' ? d.successor : String(d.to ?? ''),
    };
    if (d.state === 'granting') granting.set(key, row);
    else verified.set(key, row);
  }
  if (granting.size === 0 && verified.size === 0) return undefined;
  const assets = [...verified.values()].sort(byTypeThenName);
  const byType: Record<string, number> = {};
  for (const a of assets) byType[a.type] = (byType[a.type] ?? 0) + 1;
  const typed = assets.flatMap((a) => {
    const type = ASSET_TYPES.find((t) => t.toUpperCase() === a.type);
    return type ? [{ type: type as AssetType }] : [];
  });
  return {
    assets,
    byType,
    text: ownedCountsText(typed),
    unconfirmed: [...granting.entries()]
      .filter(([key]) => !verified.has(key))
      .map(([, row]) => row)
      .sort(byTypeThenName),
  };
}

function byTypeThenName(a: HandoverRow, b: HandoverRow): number {
  const ka = `${a.type}\u0000${a.name ?? a.id}\u0000${a.from}`;
  const kb = `${b.type}\u0000${b.name ?? b.id}\u0000${b.from}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
