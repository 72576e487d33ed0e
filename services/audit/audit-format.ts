import { Readable, type Transform } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { StoredAuditRecord } from '../../shared/dynamo/audit-store.js';
import { escapeJsonText, escapeTerminalText } from '../../shared/terminal-text.js';

/**
 * The export formats of `idsync audit`, each a chain of streams fed page by page, so an export
 * of any size never sits in memory whole: CSV (csv-stringify; header row, fixed column order),
 * JSON (one array, written as it goes), JSON lines, and a human table with truncated columns.
 */

export const AUDIT_FORMATS = ['table', 'json', 'jsonl', 'csv'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

/** CSV columns, in order; `detail` is the row's detail object as JSON. */
export const AUDIT_COLUMNS = [
  'at',
  'runId',
  'kind',
  'email',
  'userId',
  'userName',
  'role',
  'source',
  'decision',
  'reason',
  'outcome',
  'attempts',
  'detail',
] as const;

export type AuditColumn = (typeof AUDIT_COLUMNS)[number];

/** One row as CSV cells, in AUDIT_COLUMNS order (absent values are empty). */
export function csvCells(row: StoredAuditRecord): (string | number)[] {
  return AUDIT_COLUMNS.map((c) => {
    if (c === 'detail') return row.detail === undefined ? '' : JSON.stringify(row.detail);
    const v = row[c];
    return v === undefined ? '' : v;
  });
}

export interface FormatOptions {
  /** UTF-8 byte order mark first (Excel reads the file as UTF-8 then). */
  readonly bom?: boolean;
  /** Show the run column in the table (off when the query is one run). */
  readonly showRun?: boolean;
}

/** The streams that turn pages of rows into the format's text; pipe them into the destination. */
export function exportStreams(
  format: AuditFormat,
  pages: AsyncIterable<readonly StoredAuditRecord[]>,
  options: FormatOptions = {},
): [Readable, ...Transform[]] {
  switch (format) {
    case 'csv':
      return [
        Readable.from(cellsOf(pages)),
        stringify({
          header: true,
          columns: [...AUDIT_COLUMNS],
          bom: options.bom === true,
          // A cell starting with = + - @ would run as a formula in Excel: it gets a leading '.
          escape_formulas: true,
        }),
      ];
    case 'json':
      return [Readable.from(jsonArray(pages))];
    case 'jsonl':
      return [Readable.from(jsonLines(pages))];
    case 'table':
      return [Readable.from(tableText(pages, options.showRun !== false))];
  }
}

async function* cellsOf(pages: AsyncIterable<readonly StoredAuditRecord[]>) {
  for await (const page of pages) for (const row of page) yield csvCells(row);
}

async function* jsonArray(pages: AsyncIterable<readonly StoredAuditRecord[]>) {
  let first = true;
  yield '[';
  for await (const page of pages) {
    if (page.length === 0) continue;
    const body = page.map((r) => `\n  ${escapeJsonText(JSON.stringify(r))}`).join(',');
    yield first ? body : `,${body}`;
    first = false;
  }
  yield first ? ']\n' : '\n]\n';
}

async function* jsonLines(pages: AsyncIterable<readonly StoredAuditRecord[]>) {
  for await (const page of pages) {
    if (page.length > 0) yield `${page.map((r) => escapeJsonText(JSON.stringify(r))).join('\n')}\n`;
  }
}

interface TableColumn {
  readonly title: string;
  readonly width: number;
  readonly value: (r: StoredAuditRecord) => string;
}

const TABLE_COLUMNS: readonly TableColumn[] = [
  { title: 'at (UTC)', width: 19, value: (r) => r.at.slice(0, 19).replace('T', ' ') },
  { title: 'run', width: 21, value: (r) => r.runId },
  { title: 'kind', width: 11, value: (r) => r.kind },
  { title: 'email / user id', width: 30, value: (r) => r.email ?? r.userId ?? '' },
  { title: 'QuickSight user', width: 34, value: (r) => r.userName ?? '' },
  { title: 'decision', width: 10, value: (r) => r.decision ?? '' },
  { title: 'outcome', width: 12, value: (r) => r.outcome ?? '' },
  { title: 'reason', width: 48, value: (r) => errorOrReason(r) },
];

function errorOrReason(r: StoredAuditRecord): string {
  const error = r.detail?.error;
  return typeof error === 'string' && error ? `${error} — ${r.reason ?? ''}` : (r.reason ?? '');
}

async function* tableText(pages: AsyncIterable<readonly StoredAuditRecord[]>, showRun: boolean) {
  const columns = TABLE_COLUMNS.filter((c) => showRun || c.title !== 'run');
  const line = (cells: string[]) =>
    cells
      .map((c, i) => fitCell(c, (columns[i] as TableColumn).width))
      .join('  ')
      .trimEnd();
  yield `${line(columns.map((c) => c.title))}\n`;
  let count = 0;
  for await (const page of pages) {
    if (page.length === 0) continue;
    count += page.length;
    yield `${page.map((r) => line(columns.map((c) => c.value(r)))).join('\n')}\n`;
  }
  yield `(${count.toLocaleString('en-US')} rows)\n`;
}

const WIDE =
  /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]/u;

/** Columns a character takes in a terminal: 2 for East Asian wide characters, else 1. */
function charWidth(ch: string): number {
  return WIDE.test(ch) ? 2 : 1;
}

/**
 * A cell padded or truncated (with …) to `width` terminal columns. Newlines and tabs become
 * spaces, so data cannot break the layout; other control and bidi characters are shown escaped
 * (shared/terminal-text.ts), so data can neither drive the terminal nor reorder the line.
 */
export function fitCell(value: string, width: number): string {
  const text = escapeTerminalText(value.replace(/[\n\t]+/g, ' '));
  let used = 0;
  let out = '';
  const chars = [...text];
  const total = chars.reduce((n, ch) => n + charWidth(ch), 0);
  const room = total > width ? width - 1 : width;
  for (const ch of chars) {
    const w = charWidth(ch);
    if (used + w > room) break;
    out += ch;
    used += w;
  }
  if (total > width) {
    out += '…';
    used += 1;
  }
  return out + ' '.repeat(Math.max(0, width - used));
}
