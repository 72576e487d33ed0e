import { type PriceTable, priceOf } from './prices.js';

/**
 * "Needs attention": the seats idsync keeps on purpose — protected or deferred users it was asked
 * to remove — each with its reason and what it costs a month to keep (shared/prices.ts), and the
 * total. The plan output, `--json` and the report show the same list. Pure.
 */

/** The decisions that keep a seat someone asked to end. */
export const ATTENTION_DECISIONS = ['protected', 'deferred'] as const;

export interface AttentionItem {
  readonly email: string;
  readonly userName?: string;
  readonly role?: string;
  readonly decision: string;
  readonly reason: string;
  /** USD a month the kept seat costs. */
  readonly monthly: number;
}

export interface NeedsAttention {
  readonly items: readonly AttentionItem[];
  /** USD a month, all kept seats together. */
  readonly monthly: number;
}

interface DecisionLike {
  readonly email: string;
  readonly decision: string;
  readonly reason: string;
  readonly userName?: string;
  readonly role?: string;
}

export function needsAttention(rows: readonly DecisionLike[], prices: PriceTable): NeedsAttention {
  const items = rows
    .filter((r) => (ATTENTION_DECISIONS as readonly string[]).includes(r.decision))
    .map((r) => ({
      email: r.email,
      ...(r.userName !== undefined ? { userName: r.userName } : {}),
      ...(r.role !== undefined ? { role: r.role } : {}),
      decision: r.decision,
      reason: r.reason,
      monthly: r.role ? priceOf(prices, r.role) : 0,
    }));
  return { items, monthly: items.reduce((sum, i) => sum + i.monthly, 0) };
}

/** The plan's lines: a heading with the total, then one line per kept seat (`limit` shown). */
export function attentionLines(
  a: NeedsAttention,
  money: (usd: number) => string,
  limit = 20,
): string[] {
  if (a.items.length === 0) return ['needs attention: nothing (no protected or deferred users)'];
  const lines = [
    `needs attention (${a.items.length}): seats kept, ${money(a.monthly)} a month`,
    ...a.items
      .slice(0, limit)
      .map(
        (i) =>
          `  ${i.email}  ${i.userName ?? ''} [${i.role ?? '?'}]  ${i.decision}: ${i.reason}  (${money(i.monthly)}/month)`,
      ),
  ];
  if (a.items.length > limit)
    lines.push(`  … and ${a.items.length - limit} more (--json lists all)`);
  return lines;
}
