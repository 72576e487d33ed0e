import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AUDIT_COLUMNS,
  type AuditFormat,
  exportStreams,
  fitCell,
} from '../../../services/audit/audit-format.js';
import type { StoredAuditRecord } from '../../../shared/dynamo/audit-store.js';
import { AWKWARD_PEOPLE, runRows } from './audit-fixtures.js';

async function render(
  format: AuditFormat,
  pages: StoredAuditRecord[][],
  options: { bom?: boolean; showRun?: boolean } = {},
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  async function* source() {
    yield* pages;
  }
  await pipeline([...exportStreams(format, source(), options), sink]);
  return Buffer.concat(chunks);
}

const stored = (r: ReturnType<typeof runRows>[number], i: number): StoredAuditRecord => ({
  ...r,
  sk: `${r.at}#${String(i).padStart(6, '0')}#abcd`,
  day: r.at.slice(0, 10),
});

const rows = runRows('run-1', 'run-1', '2026-11-27T16:47:00.000Z', AWKWARD_PEOPLE).map(stored);

/** What a spreadsheet reading the CSV shows for a value (formula-like cells get a leading '). */
const shown = (v: string) => (/^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/.test(v) ? `'${v}` : v);

/** Strings that often start like a formula, plus any string. */
const cellText = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc
    .tuple(fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\uFF1D', '"', ','), fc.string())
    .map(([a, b]) => a + b),
);

describe('audit export formats', () => {
  it('CSV: a header row in a fixed order, and awkward values survive a csv-parse round trip', async () => {
    const text = (await render('csv', [rows.slice(0, 3), [], rows.slice(3)])).toString('utf8');
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
    const parsed = parse(text, { columns: true }) as Record<string, string>[];
    expect(Object.keys(parsed[0] ?? {})).toEqual([...AUDIT_COLUMNS]);
    expect(parsed).toHaveLength(rows.length);
    parsed.forEach((p, i) => {
      const r = rows[i] as StoredAuditRecord;
      expect(p.userName).toBe(r.userName ?? '');
      expect(p.reason).toBe(shown(r.reason ?? ''));
      expect(p.email).toBe(r.email ?? '');
      expect(p.attempts).toBe(r.attempts === undefined ? '' : String(r.attempts));
      expect(p.detail === '' ? undefined : JSON.parse(p.detail as string)).toEqual(r.detail);
    });
    expect(parsed.map((p) => p.userName)).toContain(
      "AWSReservedSSO_QuickSightReader_0123/Zoë O'Brien, Jr.",
    );
    expect(parsed.map((p) => p.reason)).toContain('line1\nline2');
    expect(parsed.map((p) => p.userName)).toContain(
      'AWSReservedSSO_QuickSightReader_0123/山田 太郎',
    );
  });

  it('CSV for Excel: a UTF-8 BOM first, and formulas are neutralised', async () => {
    const bytes = await render('csv', [rows], { bom: true });
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const parsed = parse(bytes, { bom: true, columns: true }) as Record<string, string>[];
    expect(parsed.find((p) => p.decision === 'not_found')?.reason).toBe(
      `'=HYPERLINK("x") no QuickSight user`,
    );
  });

  it('CSV: any strings round-trip (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ email: cellText, reason: cellText }), {
          maxLength: 8,
        }),
        async (values) => {
          const input = values.map((v, i) => ({
            ...(rows[0] as StoredAuditRecord),
            email: v.email,
            reason: v.reason,
            sk: `s${i}`,
          }));
          const text = (await render('csv', [input])).toString('utf8');
          const parsed = parse(text, { columns: true }) as Record<string, string>[];
          expect(parsed.map((p) => [p.email, p.reason])).toEqual(
            values.map((v) => [shown(v.email), shown(v.reason)]),
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it('JSON: one valid array over several pages, and [] when there is nothing', async () => {
    const text = (await render('json', [rows.slice(0, 2), [], rows.slice(2)])).toString('utf8');
    expect(JSON.parse(text)).toEqual(rows);
    expect(JSON.parse((await render('json', [])).toString('utf8'))).toEqual([]);
  });

  it('JSON lines: one record per line', async () => {
    const lines = (await render('jsonl', [rows.slice(0, 1), rows.slice(1)]))
      .toString('utf8')
      .trimEnd()
      .split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual(rows);
  });

  it('table: aligned, truncated columns, no raw newline from the data, and a row count', async () => {
    const text = (await render('table', [rows], { showRun: false })).toString('utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^at \(UTC\) +kind +email/);
    expect(lines[0]).not.toContain('run');
    expect(lines).toHaveLength(rows.length + 2);
    expect(lines.at(-1)).toBe(`(${rows.length} rows)`);
    expect(text).toContain('line1 line2');
    expect(text).toContain('…');
  });

  it('fitCell pads to the width in terminal columns, counting CJK as two, and shows control and bidi characters escaped', () => {
    expect(fitCell('abc', 5)).toBe('abc  ');
    expect(fitCell('abcdef', 5)).toBe('abcd…');
    expect(fitCell('山田太郎', 5)).toBe('山田…');
    expect(fitCell('a\u001b[31mb', 12)).toBe('a\\x1B[31mb  ');
    expect(fitCell('x\u202Egnp.exe', 16)).toBe('x\\u202Egnp.exe  ');
    expect(fitCell('line1\nline2', 12)).toBe('line1 line2 ');
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme-ascii' }),
        fc.integer({ min: 2, max: 40 }),
        (s, w) => {
          expect(fitCell(s, w)).toHaveLength(w);
        },
      ),
    );
  });
});
