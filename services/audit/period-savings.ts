import type { AuditRecord } from '../../shared/dynamo/audit-store.js';
import { ATTENTION_DECISIONS } from '../../shared/needs-attention.js';
import { type PriceTable, priceOf, type Savings, savingsByRole } from '../../shared/prices.js';
import { accountOfRow, byAccountOrder, type ReportAccounts } from './report-accounts.js';

/**
 * The money of a period (`idsync report --since 30d`), from its audit rows (pure):
 * - saved by deletions: every `deleted` outcome row of the period (one per deletion:
 *   shared/dynamo/audit-store.ts keys an execution's outcome once) × its role's price;
 * - saved by downgrades: every `role_changed` outcome whose decision is `downgrade` × the price
 *   difference of its role and its `detail.targetRole` (shared/prices.ts);
 * - spent on seats kept that need attention: each person whose newest decision or outcome of the
 *   period keeps a seat someone asked to end (a `protected` or `deferred` decision, or a
 *   deletion's `deferred` outcome: assets and no successor) × its role's price. A person deleted
 *   after being deferred is not kept.
 *
 * With rows of more than one QuickSight account (./report-accounts.ts), the same sums are also
 * given per account (`byAccount`); the top-level ones are the total.
 */

export interface PeriodDowngrade {
  readonly from: string;
  readonly to: string;
  readonly count: number;
  /** USD a month one such downgrade saves. */
  readonly each: number;
  readonly monthly: number;
}

export interface PeriodSavings {
  /** ISO instant the period starts at. */
  readonly since: string;
  /** Deletions, by role. */
  readonly savings: Savings;
  readonly downgrades: {
    readonly byPair: readonly PeriodDowngrade[];
    readonly count: number;
    readonly monthly: number;
  };
  /** Seats kept that need attention at the period's end, by role: what they cost a month. */
  readonly kept: Savings;
  /** USD a month saved: deletions and downgrades. */
  readonly monthly: number;
  /** With rows of more than one account: each account's sums, the home account first. */
  readonly byAccount?: readonly AccountPeriodSavings[];
}

export interface AccountPeriodSavings extends Omit<PeriodSavings, 'byAccount'> {
  readonly account: string;
}

export function periodSavings(
  since: string,
  rows: Iterable<AuditRecord>,
  prices: PriceTable,
  accounts?: ReportAccounts,
): PeriodSavings {
  const all = [...rows];
  const byAccount = new Map<string, AuditRecord[]>();
  for (const r of all) {
    const account = accountOfRow(r, accounts);
    const list = byAccount.get(account);
    if (list) list.push(r);
    else byAccount.set(account, [r]);
  }
  const total = sumsOf(since, all, prices);
  if (byAccount.size <= 1) return total;
  return {
    ...total,
    byAccount: [...byAccount.keys()]
      .sort(byAccountOrder(accountOfRow({}, accounts)))
      .map((account) => ({ account, ...sumsOf(since, byAccount.get(account) ?? [], prices) })),
  };
}

/** The period's sums over `rows` (see the file comment). */
function sumsOf(
  since: string,
  rows: readonly AuditRecord[],
  prices: PriceTable,
): Omit<PeriodSavings, 'byAccount'> {
  const roles: string[] = [];
  const pairs = new Map<string, number>();
  const newest = new Map<string, AuditRecord>();
  for (const r of rows) {
    if (r.at < since) continue;
    if (r.kind === 'outcome' && r.outcome === 'deleted') roles.push(r.role ?? '');
    const target = r.detail?.targetRole;
    if (
      r.kind === 'outcome' &&
      r.outcome === 'role_changed' &&
      r.decision === 'downgrade' &&
      typeof target === 'string'
    ) {
      const key = `${(r.role ?? '').toUpperCase()}>${target.toUpperCase()}`;
      pairs.set(key, (pairs.get(key) ?? 0) + 1);
    }
    const who = r.userName ?? r.email;
    if ((r.kind === 'decision' || r.kind === 'outcome') && who !== undefined) {
      const seen = newest.get(who);
      if (!seen || seen.at <= r.at) newest.set(who, r);
    }
  }
  const savings = savingsByRole(prices, roles);
  const byPair = [...pairs.entries()].sort().map(([key, count]): PeriodDowngrade => {
    const [from = '', to = ''] = key.split('>');
    const each = priceOf(prices, from) - priceOf(prices, to);
    return { from, to, count, each, monthly: cents(count * each) };
  });
  const downgrades = {
    byPair,
    count: byPair.reduce((sum, p) => sum + p.count, 0),
    monthly: cents(byPair.reduce((sum, p) => sum + p.monthly, 0)),
  };
  const kept = savingsByRole(
    prices,
    [...newest.values()].filter(keepsSeat).map((r) => r.role ?? ''),
  );
  return { since, savings, downgrades, kept, monthly: cents(savings.monthly + downgrades.monthly) };
}

/** The row keeps a seat someone asked to end (see the file comment). */
function keepsSeat(r: AuditRecord): boolean {
  if (r.kind === 'decision')
    return (ATTENTION_DECISIONS as readonly string[]).includes(r.decision ?? '');
  return r.outcome === 'deferred' && (r.decision ?? 'delete') === 'delete';
}

function cents(usd: number): number {
  return Math.round(usd * 100) / 100;
}
