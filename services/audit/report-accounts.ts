import type { Config } from '../../shared/config/index.js';
import type { AuditRecord } from '../../shared/dynamo/audit-store.js';
import { type PriceTable, type Savings, savingsByRole } from '../../shared/prices.js';
import { accountOfScopeKey } from '../../shared/quicksight-scopes.js';

/**
 * The report split by QuickSight account (pure). An audit row names its user's scope
 * (`AuditRecord.scope`, shared/quicksight-scopes.ts): absent or a bare namespace is the home
 * account (IDSYNC_QUICKSIGHT_ACCOUNT_ID), `<account>/<namespace>` is that account. A run whose
 * rows name one account only is reported as ever; with more, the totals and the deletions and
 * savings are given per account and in total.
 */

/** How the home account is named when its id is not known to the report. */
export const HOME_ACCOUNT_LABEL = 'home account';

/**
 * The account a scope key is in (shared/quicksight-scopes.ts `accountOfScopeKey`), the home
 * account named by its id when known, else `home account`.
 */
export function accountOfScope(scopeKey: string | undefined, home: ReportAccounts = {}): string {
  return accountOfScopeKey(home.accountId ?? HOME_ACCOUNT_LABEL, scopeKey);
}

/** Where the report learns the home account's id (IDSYNC_QUICKSIGHT_ACCOUNT_ID), when known. */
export interface ReportAccounts {
  readonly accountId?: string;
}

/** The accounts as configured: the home account's id names its rows. */
export function reportAccountsOf(
  quicksight: Pick<Config['quicksight'], 'accountId'>,
): ReportAccounts {
  return { accountId: quicksight.accountId };
}

/** The account of an audit row (`accountOfScope` of its `scope`). */
export const accountOfRow = (r: Pick<AuditRecord, 'scope'>, home?: ReportAccounts): string =>
  accountOfScope(r.scope, home);

/** A row of the people table, as far as the split counts it. */
export interface AccountRow {
  /** Absent: the home account. */
  readonly account?: string;
  readonly status: string;
  readonly decision: string;
  readonly role?: string;
  readonly email: string;
}

/** One account's (or the total's) counts and savings. */
export interface AccountTotals {
  /** The account id, `home account`, or `total`. */
  readonly account: string;
  /** Distinct people with a row in this account. */
  readonly people: number;
  readonly deleted: number;
  readonly failed: number;
  readonly blocked: number;
  /** Kept: protected, deferred, keep-group members. */
  readonly kept: number;
  /** Decided for deletion, not carried out in this run. */
  readonly planned: number;
  /** Users deleted, priced by role (shared/prices.ts). */
  readonly savings: Savings;
}

const KEPT: ReadonlySet<string> = new Set(['protected', 'deferred', 'kept']);

function totalsOf(account: string, rows: readonly AccountRow[], prices: PriceTable): AccountTotals {
  const count = (status: string) => rows.filter((r) => r.status === status).length;
  return {
    account,
    people: new Set(rows.map((r) => r.email)).size,
    deleted: count('deleted'),
    failed: count('failed'),
    blocked: count('blocked'),
    kept: rows.filter((r) => KEPT.has(r.status)).length,
    planned: count('planned'),
    savings: savingsByRole(
      prices,
      rows.filter((r) => r.status === 'deleted').map((r) => r.role ?? ''),
    ),
  };
}

/** The order accounts are listed in: the home account first, then by account id. */
export function byAccountOrder(homeLabel: string): (a: string, b: string) => number {
  return (a, b) => (a === homeLabel ? -1 : b === homeLabel ? 1 : a < b ? -1 : a > b ? 1 : 0);
}

export interface AccountSplit {
  /** How the home account is named (rows without an account are its). */
  readonly home: string;
  /** Per account: the home account first, then by account id. */
  readonly accounts: readonly AccountTotals[];
  readonly total: AccountTotals;
}

/** The split of the rows by account; undefined when they name one account or none. */
export function splitByAccount(
  rows: readonly AccountRow[],
  prices: PriceTable,
  homeLabel: string = HOME_ACCOUNT_LABEL,
): AccountSplit | undefined {
  const byAccount = new Map<string, AccountRow[]>();
  for (const r of rows) {
    const key = r.account ?? homeLabel;
    const list = byAccount.get(key);
    if (list) list.push(r);
    else byAccount.set(key, [r]);
  }
  if (byAccount.size <= 1) return undefined;
  return {
    home: homeLabel,
    accounts: [...byAccount.keys()]
      .sort(byAccountOrder(homeLabel))
      .map((account) => totalsOf(account, byAccount.get(account) ?? [], prices)),
    total: totalsOf('total', rows, prices),
  };
}
