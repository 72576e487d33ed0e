import { escapeHtml } from '../../shared/escape-html.js';
import { collapsibleTable } from './collapsible-table.js';
import type { HandoverRow, HandoverSection } from './report-handover.js';
import { handoverSentence } from './report-text.js';

/**
 * The report's "Handed over" section in HTML (pure): each asset given to a successor before its
 * owner's seat ended (type, name or id, from, to), the counts by type, and any asset whose grant
 * was recorded but not confirmed.
 */
export function renderHandover(h: HandoverSection): string {
  const row = (r: HandoverRow) =>
    `<tr><td>${escapeHtml(r.type)}</td><td class="id" title="${escapeHtml(r.id)}">${escapeHtml(r.name ?? r.id)}</td><td class="id user">${escapeHtml(r.from)}</td><td class="id user">${escapeHtml(r.to)}</td></tr>`;
  const headers = [
    ['Type', 'w-role'],
    ['Asset', ''],
    ['From', 'w-user'],
    ['To', 'w-user'],
  ] as const;
  const unconfirmed =
    h.unconfirmed.length === 0
      ? ''
      : `\n<h3>Not confirmed</h3>
<p id="handover-unconfirmed">${escapeHtml(`${h.unconfirmed.length} grant${h.unconfirmed.length === 1 ? ' was' : 's were'} recorded but not confirmed (the run stopped in between); the next run of the task grants and checks ${h.unconfirmed.length === 1 ? 'it' : 'them'} again.`)}</p>
${collapsibleTable({ id: 'handover-pending', filterId: 'handover-pending-filter', shownId: 'handover-pending-shown', headers, rows: h.unconfirmed.map(row) })}`;
  const counts = Object.entries(h.byType)
    .map(([type, count]) => ` data-${escapeHtml(type.toLowerCase())}="${count}"`)
    .join('');
  return `<h2 id="handed-over">Handed over</h2>
<div class="panel" data-handed-over="${h.assets.length}"${counts}>
<p id="handover-summary">${escapeHtml(handoverSentence(h))}</p>
${
  h.assets.length === 0
    ? '<p class="none">No asset was confirmed handed over.</p>'
    : collapsibleTable({
        id: 'handover',
        filterId: 'handover-filter',
        shownId: 'handover-shown',
        headers,
        rows: h.assets.map(row),
      })
}${unconfirmed}
</div>
`;
}
