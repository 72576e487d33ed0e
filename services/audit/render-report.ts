import { createHash } from 'node:crypto';
import { DECISION_KINDS } from '../../shared/domain.js';
import { escapeHtml } from '../../shared/escape-html.js';
import { collapsibleTable, type Header } from './collapsible-table.js';
import { renderAccounts } from './render-accounts.js';
import { renderHandover } from './render-handover.js';
import {
  type IdleSection,
  type MissRow,
  OUTCOMES,
  type PersonRow,
  type ReportModel,
  STATUS_ORDER,
} from './report-model.js';
import { REPORT_CSS, REPORT_SCRIPT } from './report-template.js';
import {
  formatDay,
  formatMoney,
  formatTime,
  idleSentence,
  savingsSentence,
  summarySentences,
} from './report-text.js';

/**
 * The operator report as one self-contained HTML page (pure): inline CSS, inline script, an
 * inline SVG chart, no external asset, and a Content-Security-Policy that allows nothing else.
 * Every value from the audit goes through `escapeHtml` (shared/escape-html.ts): emails and reasons are data, and
 * neither a bidi control (U+202E…) nor a control character can reorder or hide the page's text.
 */

const n = (v: number) => v.toLocaleString('en-US');

export const STATUS_LABELS: Readonly<Record<string, string>> = {
  failed: 'Failed',
  not_found: 'No QuickSight user',
  invalid: 'Invalid value (not queued)',
  blocked: 'Blocked by guard',
  planned: 'Planned (not in this run)',
  deleted: 'Deleted',
  already_gone: 'Already gone',
  cancelled: 'Cancelled (re-joined)',
  ends_with_group: 'Ends with the group (IdC)',
  left_group: 'Taken out of the Google group (IdC)',
  deferred: 'Deferred',
  kept: 'Kept (keep group)',
  protected: 'Protected (kept)',
};

const CHART_LABELS: Readonly<Record<string, string>> = {
  delete: 'to delete',
  not_found: 'no QuickSight user',
  protected: 'protected (kept)',
  deferred: 'deferred (later)',
  blocked: 'blocked by guard',
  invalid: 'invalid value',
  deleted: 'deleted',
  already_gone: 'already gone',
  failed: 'failed',
  cancelled: 'cancelled (re-joined)',
  ends_with_group: 'ends with the group (IdC)',
  leave_group: 'to take out of the group (IdC)',
  left_group: 'taken out of the group (IdC)',
};

const BAR_COLOURS: Readonly<Record<string, string>> = {
  delete: '#2b6cb0',
  not_found: '#b7791f',
  protected: '#718096',
  deferred: '#a0aec0',
  blocked: '#c53030',
  invalid: '#b7791f',
  deleted: '#2f855a',
  already_gone: '#68a37f',
  failed: '#c53030',
  cancelled: '#a0aec0',
  ends_with_group: '#805ad5',
  leave_group: '#6b46c1',
  left_group: '#553c9a',
};

const SOURCE_LABELS: Readonly<Record<string, string>> = {
  group_removal: 'left a group',
  deleted_event: 'IdC user deleted',
  csv: 'CSV file',
  inactive: 'idle (no activity)',
};

const MISS_LABELS: Readonly<Record<MissRow['kind'], string>> = {
  not_found: 'No QuickSight user',
  unresolved_event: 'Event not traced to a person',
  rejected_event: 'Event not usable',
  input_error: 'Bad input row',
};

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

export function renderReport(m: ReportModel): string {
  const csp = `default-src 'none'; style-src ${sha256(REPORT_CSS)}; script-src ${sha256(REPORT_SCRIPT)}; img-src data:`;
  const when = m.startedAt ? formatTime(m.startedAt) : 'no rows';
  const plans =
    m.planRunIds.length > 0
      ? ` · decisions from plan run ${m.planRunIds.map((id) => `<code>${escapeHtml(id)}</code>`).join(', ')}`
      : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<title>idsync report · run ${escapeHtml(m.runId)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
<h1>QuickSight clean-up report</h1>
<p class="meta">Run <code>${escapeHtml(m.runId)}</code> · ${escapeHtml(when)}${plans} · generated ${escapeHtml(formatTime(m.generatedAt))}</p>
<section class="summary" id="summary">
${summarySentences(m)
  .map((s) => `<p>${escapeHtml(s)}</p>`)
  .join('\n')}
<p class="saving">${escapeHtml(savingsSentence(m))}</p>${m.guardWindow ? `\n<p class="meta" id="guard-window">${escapeHtml(m.guardWindow)}</p>` : ''}
</section>
${renderCards(m)}
${m.byAccount ? renderAccounts(m.byAccount) : ''}<h2>Decisions and outcomes</h2>
<div class="panel">${renderChart(m)}</div>
<h2>Needs attention</h2>
${renderAttention(m)}
${m.handedOver ? renderHandover(m.handedOver) : ''}${m.idle ? renderIdle(m.idle) : ''}<h2>People and their QuickSight users</h2>
${renderPeople(m.rows, m.byAccount?.home)}
<h2>What the words mean</h2>
${GLOSSARY}
<footer>Written by idsync from the audit table (run <code>${escapeHtml(m.runId)}</code>). Get every row with <code>idsync audit --run ${escapeHtml(m.runId)} --out audit.csv</code>.</footer>
</main>
<script>${REPORT_SCRIPT}</script>
</body>
</html>
`;
}

function renderCards(m: ReportModel): string {
  const o = (k: string) => m.outcomeCounts[k] ?? 0;
  const d = (k: string) => m.decisionCounts[k] ?? 0;
  const cards: [key: string, tone: string, value: string, label: string][] = [
    ['deleted', 'ok', n(o('deleted')), 'QuickSight users deleted'],
    ['failed', o('failed') > 0 ? 'bad' : 'ok', n(o('failed')), 'failed after retries'],
    ['missed', m.misses.length > 0 ? 'warn' : 'ok', n(m.misses.length), 'misses to check'],
    [
      'kept',
      'info',
      n(d('protected') + d('deferred') + d('kept') + o('cancelled')),
      'kept (protected, deferred, keep group or re-joined)',
    ],
    ['savings', 'ok', formatMoney(m.savings.monthly), 'estimated saving per month'],
  ];
  if (d('blocked') > 0) cards.splice(1, 0, ['blocked', 'bad', n(d('blocked')), 'blocked by guard']);
  return `<section class="cards">${cards
    .map(
      ([key, tone, value, label]) =>
        `<div class="card ${tone}" data-card="${key}"><div class="value">${escapeHtml(value)}</div><div class="label">${escapeHtml(label)}</div></div>`,
    )
    .join('')}</section>`;
}

function renderAttention(m: ReportModel): string {
  if (m.failures.length === 0 && m.misses.length === 0 && m.kept.items.length === 0)
    return '<div class="panel"><p class="none">Nothing: no failures, no misses, no seat kept.</p></div>';
  const kept = m.kept.items.map(
    (i) =>
      `<tr data-kind="${escapeHtml(i.decision)}"><td><span class="pill s-${escapeHtml(i.decision)}">Kept (${escapeHtml(i.decision)})</span></td><td>${escapeHtml(i.email)}</td>${userCell(i.userName)}<td class="reason">${escapeHtml(withoutUserName(i.reason, i.userName))} · ${escapeHtml(formatMoney(i.monthly))} a month</td></tr>`,
  );
  const keptNote =
    m.kept.items.length > 0
      ? `<p id="kept-cost">${escapeHtml(`${n(m.kept.items.length)} seat${m.kept.items.length === 1 ? '' : 's'} kept (protected or deferred) cost ${formatMoney(m.kept.monthly)} a month.`)}</p>\n`
      : '';
  const failures = m.failures.map(
    (r) =>
      `<tr data-kind="failed"><td><span class="pill s-failed">Failed</span></td><td>${escapeHtml(r.email)}</td>${userCell(r.userName)}<td class="reason">${escapeHtml(r.error ?? withoutUserName(r.reason, r.userName))}</td></tr>`,
  );
  const misses = m.misses.map(
    (x) =>
      `<tr data-kind="${escapeHtml(x.kind)}"><td><span class="pill s-not_found">${escapeHtml(MISS_LABELS[x.kind])}</span></td><td>${escapeHtml(x.subject)}</td><td></td><td class="reason">${escapeHtml(x.reason)}</td></tr>`,
  );
  return `<div class="panel attention">
${keptNote}${collapsibleTable({
  id: 'attention',
  filterId: 'attention-filter',
  shownId: 'attention-shown',
  headers: [
    ['What', 'w-what'],
    ['Who or where', 'w-email'],
    ['QuickSight user', 'w-user'],
    ['Details', ''],
  ],
  rows: [...failures, ...misses, ...kept],
})}</div>`;
}

function renderChart(m: ReportModel): string {
  const groups: [
    title: string,
    kind: string,
    keys: readonly string[],
    counts: ReportModel['decisionCounts'],
  ][] = [
    ['Decisions', 'decision', DECISION_KINDS, m.decisionCounts],
    ['Outcomes', 'outcome', OUTCOMES, m.outcomeCounts],
  ];
  const max = Math.max(
    1,
    ...groups.flatMap(([, , keys, counts]) => keys.map((k) => counts[k] ?? 0)),
  );
  const [labelW, barW, rowH] = [190, 440, 26];
  const parts: string[] = [];
  let y = 0;
  for (const [title, kind, keys, counts] of groups) {
    y += 22;
    parts.push(`<text x="0" y="${y}" font-weight="650">${escapeHtml(title)}</text>`);
    y += 8;
    for (const key of keys) {
      const count = counts[key] ?? 0;
      const w = count === 0 ? 0 : Math.max(2, Math.round((count / max) * barW));
      parts.push(
        `<g data-chart="${kind}:${escapeHtml(key)}" data-count="${count}"><text x="0" y="${y + 17}">${escapeHtml(CHART_LABELS[key] ?? key)}</text><rect x="${labelW}" y="${y + 4}" width="${w}" height="${rowH - 8}" rx="3" fill="${BAR_COLOURS[key] ?? '#718096'}"></rect><text x="${labelW + w + 8}" y="${y + 17}">${n(count)}</text></g>`,
      );
      y += rowH;
    }
  }
  const width = labelW + barW + 80;
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Counts of decisions and outcomes" width="${width}" height="${y + 6}" viewBox="0 0 ${width} ${y + 6}">${parts.join('')}</svg>`;
}

/** "Idle Readers": who the idle rule named, when each was last active, who turns idle soon. */
function renderIdle(idle: IdleSection): string {
  const users = idle.users.map(
    (r) =>
      `<tr data-status="${escapeHtml(r.status)}"><td data-sort="${STATUS_ORDER.indexOf(r.status)}"><span class="pill s-${escapeHtml(r.status)}">${escapeHtml(STATUS_LABELS[r.status] ?? r.status)}</span></td><td>${escapeHtml(r.email)}</td>${userCell(r.userName)}<td>${escapeHtml(r.role)}</td><td class="reason">${escapeHtml(r.seen ?? withoutUserName(r.reason, r.userName))}</td></tr>`,
  );
  const soon = idle.soon.map(
    (r) =>
      `<tr><td data-sort="${escapeHtml(r.idleAfter ?? '')}">${escapeHtml(r.idleAfter ? formatDay(r.idleAfter) : '')}</td><td>${escapeHtml(r.email)}</td>${userCell(r.userName)}<td>${escapeHtml(r.role)}</td><td class="reason">${escapeHtml(withoutUserName(r.reason, r.userName))}</td></tr>`,
  );
  const none = (what: string) => `<p class="none">${escapeHtml(what)}</p>`;
  const widths = ['w-status', 'w-email', 'w-user', 'w-role', ''];
  return `<h2 id="idle">Idle Readers</h2>
<div class="panel" data-idle-deleted="${idle.deleted}" data-idle-monthly="${idle.savings.monthly}">
<p class="saving" id="idle-saving">${escapeHtml(idleSentence(idle))}</p>
${
  users.length === 0
    ? none('No user was idle.')
    : collapsibleTable({
        id: 'idle-users',
        filterId: 'idle-filter',
        shownId: 'idle-shown',
        headers: [
          ['Result', 'w-status', 'number'],
          ['Email', 'w-email'],
          ['QuickSight user', 'w-user'],
          ['Role', 'w-role'],
          ['Last active', ''],
        ],
        rows: users,
      })
}
<h3>Idle soon</h3>
${
  soon.length === 0
    ? none('Nobody turns idle soon (or the run was not asked: idsync inactive --warn-days W).')
    : collapsibleTable({
        id: 'idle-soon',
        filterId: 'idle-soon-filter',
        shownId: 'idle-soon-shown',
        headers: [
          ['Idle after', widths[0] as string],
          ['Email', 'w-email'],
          ['QuickSight user', 'w-user'],
          ['Role', 'w-role'],
          ['Why not idle yet', ''],
        ],
        rows: soon,
      })
}
</div>
`;
}

/** The QuickSight user on one line, cut with an ellipsis; whole on hover and for the filter. */
function userCell(userName: string | undefined): string {
  return `<td class="id user">${escapeHtml(userName)}</td>`;
}

/**
 * A reason without the user name the row already shows (pure): `READER user
 * AWSReservedSSO_…/ana@example.com is idle` reads `READER user is idle`.
 */
export function withoutUserName(reason: string, userName: string | undefined): string {
  if (!userName) return reason;
  return reason.split(` ${userName}`).join('').split(userName).join('this user');
}

/** The people table's columns: title, width class, sort type. Result is the outcome, or the decision's state when nothing ran. */
const HEADERS: readonly Header[] = [
  ['Result', 'w-status', 'number'],
  ['Email', 'w-email'],
  ['QuickSight user', 'w-user'],
  ['Role', 'w-role'],
  ['Named by', 'w-source'],
  ['Decision', 'w-decision'],
  ['Reason', ''],
  ['Attempts', 'w-attempts', 'number'],
];

/**
 * The people table; with rows of several QuickSight accounts (`homeAccount` given: the label of
 * rows without one), an Account column after the QuickSight user.
 */
function renderPeople(rows: readonly PersonRow[], homeAccount?: string): string {
  const accountCell = (r: PersonRow) =>
    homeAccount === undefined ? '' : `<td class="id">${escapeHtml(r.account ?? homeAccount)}</td>`;
  const headers: readonly Header[] =
    homeAccount === undefined
      ? HEADERS
      : [...HEADERS.slice(0, 3), ['Account', 'w-role'], ...HEADERS.slice(3)];
  const body = rows.map(
    (r) =>
      `<tr data-status="${escapeHtml(r.status)}"><td data-sort="${STATUS_ORDER.indexOf(r.status)}"><span class="pill s-${escapeHtml(r.status)}">${escapeHtml(STATUS_LABELS[r.status] ?? r.status)}</span></td><td>${escapeHtml(r.email)}</td>${userCell(r.userName)}${accountCell(r)}<td>${escapeHtml(r.role)}</td><td>${escapeHtml(SOURCE_LABELS[r.source ?? ''] ?? r.source)}</td><td>${escapeHtml(r.decision)}</td><td class="reason">${escapeHtml(withoutUserName(r.error ? `${r.error} — ${r.reason}` : r.reason, r.userName))}</td><td class="num">${r.attempts ?? ''}</td></tr>`,
  );
  return `<div class="panel">
${collapsibleTable({ id: 'people', filterId: 'filter', shownId: 'shown', headers, rows: body })}</div>`;
}

const GLOSSARY = `<div class="panel"><dl>
<dt>to delete</dt><dd>The person left (group removal, deleted IAM Identity Center user or CSV) and this QuickSight user should go.</dd>
<dt>no QuickSight user</dt><dd>The person was named for removal but holds no QuickSight user: nothing to do, but worth a look (typo in a CSV?).</dd>
<dt>protected</dt><dd>Kept on purpose: an ADMIN or AUTHOR role, or a user on the protected list.</dd>
<dt>deferred</dt><dd>Not now: the person is back in a group (or, with <code>--keep-members</code>, still in one).</dd>
<dt>blocked by guard</dt><dd>The run wanted to delete more users than the safety limit allows, so it deleted nothing.</dd>
<dt>deleted / already gone</dt><dd>The QuickSight user was removed by idsync / had already been removed by someone else.</dd>
<dt>failed</dt><dd>QuickSight refused or did not answer even after retries; the next run tries again.</dd>
<dt>cancelled</dt><dd>The person re-joined a group before the deletion ran, so it was not done.</dd>
<dt>kept (keep group)</dt><dd>Never judged idle: the person is a member of a Google group in <code>IDSYNC_INACTIVE_KEEP_GROUPS</code> (e.g. people who only receive emailed reports, which leave no trace in CloudTrail).</dd>
<dt>idle</dt><dd>A Reader with no QuickSight activity for the days asked (CloudTrail, live events or an imported console export), and not created within them. Deleted even though the person is still in a group: their user is created again when they next sign in.</dd>
</dl></div>`;
