import { escapeHtml } from '../../shared/escape-html.js';
import { describeSavings } from '../../shared/prices.js';
import type { AccountSplit, AccountTotals } from './report-accounts.js';
import { formatMoney } from './report-text.js';

/**
 * The report's "By QuickSight account" section in HTML (pure): with rows of more than one
 * account (./report-accounts.ts), each account's people, deletions, failures, held, kept and
 * planned users and what its deletions save a month, then the total.
 */

const n = (v: number) => v.toLocaleString('en-US');

export function renderAccounts(split: AccountSplit): string {
  const row = (t: AccountTotals, total: boolean) => {
    const cell = (v: number) => `<td class="num">${n(v)}</td>`;
    const name = total ? '<strong>Total</strong>' : `<code>${escapeHtml(t.account)}</code>`;
    return `<tr data-account="${escapeHtml(t.account)}" data-deleted="${t.deleted}" data-monthly="${t.savings.monthly}"><td>${name}</td>${cell(t.people)}${cell(t.deleted)}${cell(t.failed)}${cell(t.blocked)}${cell(t.kept)}${cell(t.planned)}<td class="num">${escapeHtml(formatMoney(t.savings.monthly))}</td><td class="reason">${escapeHtml(describeSavings(t.savings, formatMoney))}</td></tr>`;
  };
  const headers = [
    'Account',
    'People',
    'Deleted',
    'Failed',
    'Held by guard',
    'Kept',
    'Planned',
    'Saving a month',
    'Deleted by role',
  ];
  return `<h2 id="accounts">By QuickSight account</h2>
<div class="panel" data-accounts="${split.accounts.length}">
<table class="rest" id="accounts-table"><thead><tr>${headers.map((h, i) => `<th${i > 0 && i < 8 ? ' class="num"' : ''}>${escapeHtml(h)}</th>`).join('')}</tr></thead>
<tbody>
${[...split.accounts.map((t) => row(t, false)), row(split.total, true)].join('\n')}
</tbody></table>
</div>
`;
}
