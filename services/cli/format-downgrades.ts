import type { Decision } from '../../shared/domain.js';
import { type PriceTable, priceOf } from '../../shared/prices.js';

/**
 * What a plan's downgrades save a month (`idsync inactive --downgrade-authors`): per role pair,
 * the count × the price difference (shared/prices.ts, IDSYNC_PRICES). Pure.
 */
export function downgradeSavings(
  decisions: readonly Decision[],
  prices: PriceTable,
): { readonly lines: readonly string[]; readonly count: number; readonly monthly: number } {
  const pairs = new Map<string, number>();
  for (const d of decisions) {
    if (d.decision !== 'downgrade' || !d.quickSightUser || d.targetRole === undefined) continue;
    const key = `${d.quickSightUser.role.toUpperCase()}>${d.targetRole.toUpperCase()}`;
    pairs.set(key, (pairs.get(key) ?? 0) + 1);
  }
  let monthly = 0;
  let count = 0;
  const lines = [...pairs.entries()].sort().map(([key, n]) => {
    const [from = '', to = ''] = key.split('>');
    const each = priceOf(prices, from) - priceOf(prices, to);
    monthly += n * each;
    count += n;
    return `${n.toLocaleString('en-US')} ${from} → ${to} × $${each}`;
  });
  return { lines, count, monthly: Math.round(monthly * 100) / 100 };
}

/** "downgrades: 2 AUTHOR → READER × $21 = $42 a month saved". */
export function describeDowngrades(decisions: readonly Decision[], prices: PriceTable): string {
  const s = downgradeSavings(decisions, prices);
  if (s.count === 0) return 'downgrades: none (no idle Author)';
  return `downgrades: ${s.lines.join(' + ')} = $${s.monthly.toLocaleString('en-US')} a month saved`;
}
