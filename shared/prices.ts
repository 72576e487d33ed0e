/**
 * QuickSight's monthly list price per seat, by role (USD), and what deleting seats saves: the one
 * price table every saving idsync shows is computed with (plan, inactive, report, report --since).
 * `IDSYNC_PRICES` overrides entries (`READER=3,AUTHOR=24`); Admin is priced as Author and Admin
 * Pro as Author Pro unless set; the restricted roles as their unrestricted forms. Pure.
 */

import { GROUP_ROLES } from './group-roles.js';

/** Every role a seat can be assigned (shared/group-roles.ts), each with its price. */
export const PRICED_ROLES = GROUP_ROLES;
export type PricedRole = (typeof PRICED_ROLES)[number];
export type PriceTable = Readonly<Record<PricedRole, number>>;

/** Reader 3, Reader Pro 20, Author 24, Author Pro 40 (Admin as Author, Admin Pro as Author Pro). */
export const DEFAULT_PRICES: PriceTable = {
  READER: 3,
  READER_PRO: 20,
  AUTHOR: 24,
  AUTHOR_PRO: 40,
  ADMIN: 24,
  ADMIN_PRO: 40,
};

/** A role priced as another unless it is set itself. */
const PRICED_AS: Readonly<Record<string, PricedRole>> = {
  ADMIN: 'AUTHOR',
  ADMIN_PRO: 'AUTHOR_PRO',
  RESTRICTED_READER: 'READER',
  RESTRICTED_AUTHOR: 'AUTHOR',
};

export const MAX_PRICE = 1000;
const PRICE_TEXT = /^(0|[1-9]\d{0,3})(\.\d{1,2})?$/;

export type PriceParse =
  | { readonly ok: true; readonly prices: PriceTable }
  | { readonly ok: false; readonly message: string };

/**
 * `ROLE=PRICE` entries, comma-separated, on top of the defaults: role names case-insensitive,
 * prices plain decimals from 0 to 1000 with at most two decimals; each role once. Setting AUTHOR
 * (AUTHOR_PRO) also prices ADMIN (ADMIN_PRO) unless that is set too.
 */
export function parsePrices(text: string): PriceParse {
  const set = new Map<PricedRole, number>();
  const entries = text.split(',').map((e) => e.trim());
  if (entries.every((e) => e === ''))
    return fail('is empty: expected ROLE=PRICE entries, e.g. READER=3,AUTHOR=24');
  for (const entry of entries) {
    if (entry === '') return fail('has an empty entry (two commas in a row, or one at an end)');
    const eq = entry.indexOf('=');
    if (eq < 0) return fail(`entry ${JSON.stringify(entry)} is not ROLE=PRICE`);
    const role = entry.slice(0, eq).trim().toUpperCase();
    const price = entry.slice(eq + 1).trim();
    if (!(PRICED_ROLES as readonly string[]).includes(role))
      return fail(`role ${JSON.stringify(role)} is not one of ${PRICED_ROLES.join(', ')}`);
    if (set.has(role as PricedRole)) return fail(`role ${role} is set twice`);
    if (!PRICE_TEXT.test(price) || Number(price) > MAX_PRICE)
      return fail(
        `price of ${role} must be a plain decimal from 0 to ${MAX_PRICE} with at most two decimals (got ${JSON.stringify(price)})`,
      );
    set.set(role as PricedRole, Number(price));
  }
  const prices = { ...DEFAULT_PRICES };
  for (const role of PRICED_ROLES) {
    const own = set.get(role);
    const as = PRICED_AS[role];
    if (own !== undefined) prices[role] = own;
    else if (as !== undefined && set.has(as)) prices[role] = set.get(as) as number;
  }
  return { ok: true, prices };
}

/** The monthly price of one seat of `role` (case-insensitive); 0 for a role QuickSight does not price. */
export function priceOf(prices: PriceTable, role: string): number {
  const upper = role.trim().toUpperCase();
  if ((PRICED_ROLES as readonly string[]).includes(upper)) return prices[upper as PricedRole];
  const as = PRICED_AS[upper];
  return as === undefined ? 0 : prices[as];
}

export interface RoleSaving {
  /** Upper-case role. */
  readonly role: string;
  readonly count: number;
  /** Monthly price of one seat. */
  readonly price: number;
  /** count × price, in cents rounded. */
  readonly monthly: number;
}

export interface Savings {
  /** One line per role that had a seat, in PRICED_ROLES order, then others by name. */
  readonly byRole: readonly RoleSaving[];
  readonly seats: number;
  readonly monthly: number;
}

/** What ending these seats saves a month, by role. */
export function savingsByRole(prices: PriceTable, roles: Iterable<string>): Savings {
  const counts = new Map<string, number>();
  for (const role of roles) {
    const upper = role.trim().toUpperCase();
    counts.set(upper, (counts.get(upper) ?? 0) + 1);
  }
  const order = (r: string) => {
    const i = (PRICED_ROLES as readonly string[]).indexOf(r);
    return i < 0 ? PRICED_ROLES.length : i;
  };
  const byRole = [...counts.entries()]
    .sort(([a], [b]) => order(a) - order(b) || (a < b ? -1 : a > b ? 1 : 0))
    .map(([role, count]) => {
      const price = priceOf(prices, role);
      return { role, count, price, monthly: cents(count * price) };
    });
  return {
    byRole,
    seats: byRole.reduce((n, r) => n + r.count, 0),
    monthly: cents(byRole.reduce((n, r) => n + r.monthly, 0)),
  };
}

/** "2 AUTHOR × $24 + 5 READER × $3": the sum a saving is made of. */
export function describeSavings(s: Savings, money: (usd: number) => string): string {
  if (s.byRole.length === 0) return 'no seats';
  return s.byRole
    .map((r) => `${r.count.toLocaleString('en-US')} ${r.role} × ${money(r.price)}`)
    .join(' + ');
}

function cents(n: number): number {
  return Math.round(n * 100) / 100;
}

function fail(message: string): PriceParse {
  return { ok: false, message };
}
