import { escapeHtml } from '../../shared/escape-html.js';

/** The report's tables (render-report.ts and its sections): one shape, written once. */

const n = (v: number) => v.toLocaleString('en-US');

/** A `<colgroup>` with one `<col>` per column class (empty: no class). */
const colgroup = (classes: readonly string[]) =>
  `<colgroup>${classes.map((c) => (c ? `<col class="${c}">` : '<col>')).join('')}</colgroup>`;

/** Rows shown before a table's "Show N more rows" fold (`<details>`; works without script). */
export const FIRST_ROWS = 50;

export type Header = readonly [title: string, width: string, type?: string];

export interface TableSpec {
  readonly id: string;
  readonly filterId: string;
  readonly shownId: string;
  readonly headers: readonly Header[];
  /** Rendered `<tr>`s. */
  readonly rows: readonly string[];
}

/**
 * A table a person can read at any size: a filter box, sortable headers, the first FIRST_ROWS
 * rows, the rest folded in a `<details>` below. Without script the fold still opens; with it,
 * sorting and filtering work on every row and refill the first rows (report-template.ts).
 */
export function collapsibleTable(t: TableSpec): string {
  const head = t.headers
    .map(
      ([title, , type]) =>
        `<th scope="col"${type ? ` data-type="${type}"` : ''}><button type="button">${escapeHtml(title)}</button></th>`,
    )
    .join('');
  const cols = colgroup(t.headers.map(([, width]) => width));
  const first = t.rows.slice(0, FIRST_ROWS);
  const rest = t.rows.slice(FIRST_ROWS);
  const more =
    rest.length === 0
      ? ''
      : `\n<details class="more" data-more-for="${t.id}"><summary>Show ${n(rest.length)} more rows</summary>
<table class="rest">
${cols}
<thead><tr>${t.headers.map(([title]) => `<th scope="col">${escapeHtml(title)}</th>`).join('')}</tr></thead>
<tbody>
${rest.join('\n')}
</tbody></table></details>`;
  return `<div class="tools"><label for="${t.filterId}">Filter</label><input id="${t.filterId}" type="search" data-filter-for="${t.id}" placeholder="email, user, reason, status…" autocomplete="off"><output id="${t.shownId}" data-shown-for="${t.id}">${n(t.rows.length)} rows</output></div>
<table id="${t.id}" data-sortable data-first="${FIRST_ROWS}">
${cols}
<thead><tr>${head}</tr></thead>
<tbody>
${first.join('\n')}
</tbody></table>${more}`;
}
