import type { AuditRecord } from '../../shared/dynamo/audit-store.js';
import { type PriceTable, type Savings, savingsByRole } from '../../shared/prices.js';

/**
 * What the deletions of a period save a month, by role (`idsync report --since 30d`): every
 * `deleted` outcome row of the period (one per deletion: shared/dynamo/audit-store.ts keys an
 * execution's outcome once) × its role's price (shared/prices.ts). Pure.
 */

export interface PeriodSavings {
  /** ISO instant the period starts at. */
  readonly since: string;
  readonly savings: Savings;
}

export function periodSavings(
  since: string,
  rows: Iterable<AuditRecord>,
  prices: PriceTable,
): PeriodSavings {
  const roles: string[] = [];
  for (const r of rows)
    if (r.kind === 'outcome' && r.outcome === 'deleted' && r.at >= since) roles.push(r.role ?? '');
  return { since, savings: savingsByRole(prices, roles) };
}
