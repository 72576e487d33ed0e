import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIRST_ROWS } from '../../../services/audit/collapsible-table.js';
import { renderReport, withoutUserName } from '../../../services/audit/render-report.js';
import { buildReportModel } from '../../../services/audit/report-model.js';
import type { AuditRecord } from '../../../shared/dynamo/audit-store.js';
import { escapeHtml } from '../../../shared/escape-html.js';
import { DEFAULT_PRICES } from '../../../shared/prices.js';
import { UNSAFE_TERMINAL_CHARS } from '../../../shared/terminal-text.js';
import { AWKWARD_PEOPLE, decisionOf, runRows } from './audit-fixtures.js';

const AT = '2026-11-27T16:47:00.000Z';
const render = (rows: AuditRecord[], readerPrice = 3) =>
  renderReport(
    buildReportModel({
      runId: 'run-1',
      rows,
      prices: { ...DEFAULT_PRICES, READER: readerPrice },
      generatedAt: AT,
    }),
  );

const inputError: AuditRecord = {
  runId: 'run-1',
  at: AT,
  kind: 'input_error',
  source: 'csv',
  reason: 'CSV line 7: "<b>bold</b>" is not an email',
  detail: { line: 7 },
};
const html = render([...runRows('run-1', 'run-1', AT, AWKWARD_PEOPLE), inputError]);

const attr = (page: string, name: string) =>
  [...page.matchAll(new RegExp(`${name}="([^"]*)"`, 'g'))].map((m) => m[1] as string);

describe('renderReport', () => {
  it('escapes every audit value: markup in emails, user names and reasons stays text', () => {
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>bold');
    expect(html).toContain('reader/&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
    expect(html).toContain('Zoë O&#39;Brien, Jr.');
    expect(html).toContain('山田 太郎');
  });

  it('escapes any string wherever it lands (fast-check)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (email, reason) => {
        const page = render(
          runRows('run-1', 'run-1', AT, [
            {
              email,
              userName: `reader/${email}`,
              decision: 'delete',
              reason,
              outcome: 'failed',
              error: reason,
            },
          ]),
        );
        expect(page.match(/<script/g)).toHaveLength(1);
        expect(page.match(/<\/script/g)).toHaveLength(1);
        expect(page).toContain(escapeHtml(email));
        expect(page).toContain(escapeHtml(reason));
      }),
      { numRuns: 60 },
    );
  });

  it('shows bidi and control characters escaped: no value can reorder or hide the page text', () => {
    const bidiEmail = 'evil\u202Efdp.exe@example.com';
    const page = render(
      runRows('run-1', 'run-1', AT, [
        {
          email: bidiEmail,
          userName: `reader/${bidiEmail}`,
          decision: 'delete',
          reason: 'red \u001b[31malert\u2066 isolate \u061C\u200F',
          outcome: 'failed',
          error: 'x\u0085y',
        },
      ]),
    );
    expect(page).toContain('evil\\u202Efdp.exe@example.com');
    expect(page).toContain('red \\x1B[31malert\\u2066 isolate \\u061C\\u200F');
    expect(page).toContain('x\\x85y');
    expect(page).not.toMatch(new RegExp(UNSAFE_TERMINAL_CHARS.source));
  });

  it('is self-contained: no external URL, and a CSP that pins the inline style and script by hash', () => {
    expect(html).not.toMatch(/<[^>]*\s(src|href|srcset|action)\s*=/i);
    expect(html).not.toMatch(/url\(|@import/i);
    const csp = attr(html, 'content').find((c) => c.startsWith('default-src')) ?? '';
    expect(csp).toContain('default-src &#39;none&#39;');
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    const hash = (s: string) => createHash('sha256').update(s).digest('base64');
    expect(csp).toContain(`style-src &#39;sha256-${hash(style)}&#39;`);
    expect(csp).toContain(`script-src &#39;sha256-${hash(script)}&#39;`);
  });

  it('shows the counts in the chart and the cards, and the savings as an estimate', () => {
    const counts = Object.fromEntries(
      [...html.matchAll(/data-chart="([^"]+)" data-count="(\d+)"/g)].map((m) => [
        m[1],
        Number(m[2]),
      ]),
    );
    expect(counts).toMatchObject({
      'decision:delete': 3,
      'decision:protected': 1,
      'decision:not_found': 1,
      'decision:blocked': 0,
      'outcome:deleted': 1,
      'outcome:failed': 1,
      'outcome:already_gone': 1,
    });
    expect(html).toMatch(/data-card="deleted"><div class="value">1</);
    expect(html).toMatch(/data-card="missed"><div class="value">2</);
    expect(html).toMatch(/data-card="savings"><div class="value">\$3</);
    expect(html).toContain('This is an estimate');
    expect(html).toContain(
      'On 27 Nov 2026 idsync removed 1 QuickSight user of 1 person who left the Google groups.',
    );
  });

  it('lists failures and misses first, in the attention list and the people table', () => {
    // Then the seats kept (protected or deferred), each with its monthly cost.
    expect(attr(html, 'data-kind')).toEqual(['failed', 'not_found', 'input_error', 'protected']);
    expect(html).toMatch(
      /<p id="kept-cost">1 seat kept \(protected or deferred\) cost \$\d+ a month\.<\/p>/,
    );
    expect(attr(html, 'data-status')).toEqual([
      'failed',
      'not_found',
      'deleted',
      'already_gone',
      'protected',
    ]);
  });

  it('says so when there is nothing to worry about', () => {
    const calm = render(
      runRows('run-1', 'run-1', AT, [
        { email: 'a@x.com', userName: 'reader/a', decision: 'delete', outcome: 'deleted' },
      ]),
    );
    expect(calm).toContain('Nothing: no failures, no misses, no seat kept.');
    expect(attr(calm, 'data-status')).toEqual(['deleted']);
  });
});

describe('report tables a person can read', () => {
  it('shows a reason without the user name the row already shows', () => {
    const user = 'AWSReservedSSO_QuickSightReader_0d1c/ana@example.com';
    expect(withoutUserName(`READER user ${user} is idle; named by idle rule`, user)).toBe(
      'READER user is idle; named by idle rule',
    );
    expect(withoutUserName(`${user}: gone`, user)).toBe('this user: gone');
    expect(withoutUserName('role AUTHOR is protected', user)).toBe('role AUTHOR is protected');
    expect(withoutUserName('anything', undefined)).toBe('anything');
  });

  it('folds a table past its first rows, and defines no grace period no setting provides', () => {
    const rows = Array.from({ length: FIRST_ROWS + 7 }, (_, i) =>
      decisionOf('run-9', '2026-12-07T10:00:00.000Z', {
        email: `p${i}@example.com`,
        userName: `reader/p${i}@example.com`,
        decision: 'delete',
        reason: 'READER user belongs to a leaver',
      }),
    );
    const page = renderReport(
      buildReportModel({
        runId: 'run-9',
        rows,
        prices: DEFAULT_PRICES,
        generatedAt: '2026-12-07T11:00:00Z',
      }),
    );
    const main = /<table id="people"[\s\S]*?<\/table>/.exec(page)?.[0] ?? '';
    expect(main.match(/<tr data-status/g)).toHaveLength(FIRST_ROWS);
    expect(page).toMatch(
      /<details class="more" data-more-for="people"><summary>Show 7 more rows<\/summary>/,
    );
    expect(page).not.toMatch(/grace/i);
  });
});
