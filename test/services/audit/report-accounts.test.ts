import { describe, expect, it } from 'vitest';
import { periodSavings } from '../../../services/audit/period-savings.js';
import { renderReport } from '../../../services/audit/render-report.js';
import { accountOfScope } from '../../../services/audit/report-accounts.js';
import { buildReportModel } from '../../../services/audit/report-model.js';
import { accountLine } from '../../../services/audit/report-text.js';
import type { AuditRecord } from '../../../shared/dynamo/audit-store.js';
import { DEFAULT_PRICES } from '../../../shared/prices.js';
import { type PersonSpec, runRows } from './audit-fixtures.js';

/** The report split by QuickSight account: rows of two accounts, each and in total. */

const AT = '2026-12-01T10:00:00.000Z';
const HOME = '111111111111';
const B = '222222222222';
const prices = { ...DEFAULT_PRICES, READER: 3, READER_PRO: 20 };

const person = (i: number, extra: Partial<PersonSpec> = {}): PersonSpec => ({
  email: `p${i}@example.com`,
  userName: `reader/p${i}@example.com`,
  decision: 'delete',
  outcome: 'deleted',
  ...extra,
});

/** The rows of `people`, those of `inB` (by index) in account B's `sales` namespace. */
function rowsOf(people: PersonSpec[], inB: readonly number[]): AuditRecord[] {
  const bNames = new Set(inB.map((i) => people[i]?.userName));
  return runRows('run-1', 'run-1', AT, people).map((r) =>
    r.userName && bNames.has(r.userName) ? { ...r, scope: `${B}/sales` } : r,
  );
}

const model = (rows: AuditRecord[]) =>
  buildReportModel({
    runId: 'run-1',
    rows,
    prices,
    generatedAt: AT,
    accounts: { accountId: HOME },
  });

describe('the report split by QuickSight account', () => {
  const people = [
    person(0),
    person(1),
    person(2, { role: 'READER_PRO' }),
    person(3, { outcome: 'failed', error: 'ThrottlingException' }),
    person(4),
    // The same user name in both accounts: two users, each joined to its own outcome.
    person(5, { email: 'same@example.com', userName: 'reader/same@example.com' }),
  ];
  const rows = [
    ...rowsOf(people, [2, 3, 4]),
    ...rowsOf(
      [
        person(6, {
          email: 'same@example.com',
          userName: 'reader/same@example.com',
          outcome: 'failed',
        }),
      ],
      [0],
    ),
  ];

  it('gives the totals, deletions and savings of each account and of all', () => {
    const m = model(rows);
    expect(
      m.byAccount?.accounts.map((a) => [a.account, a.deleted, a.failed, a.savings.monthly]),
    ).toEqual([
      [HOME, 3, 0, 9],
      [B, 2, 2, 23],
    ]);
    expect(m.byAccount?.total).toMatchObject({ account: 'total', deleted: 5, failed: 2 });
    expect(m.byAccount?.total.savings.monthly).toBe(m.savings.monthly);
    expect(m.savings.monthly).toBe(32);
  });

  it('shows each account and the total in the HTML and in the text', () => {
    const m = model(rows);
    const html = renderReport(m);
    expect(html).toContain('By QuickSight account');
    expect(html).toMatch(new RegExp(`data-account="${HOME}" data-deleted="3" data-monthly="9"`));
    expect(html).toMatch(new RegExp(`data-account="${B}" data-deleted="2" data-monthly="23"`));
    expect(html).toMatch(/data-account="total" data-deleted="5" data-monthly="32"/);
    // The people table names each row's account: two users named alike, one per account.
    const sameRows = html.match(
      /<tr data-status=[^>]*>(?:(?!<\/tr>).)*reader\/same@example\.com(?:(?!<\/tr>).)*<\/tr>/g,
    );
    expect(
      sameRows
        ?.map((r) =>
          r.includes(`<td class="id">${B}</td>`)
            ? B
            : r.includes(`<td class="id">${HOME}</td>`)
              ? HOME
              : '?',
        )
        .sort(),
    ).toEqual([HOME, B].sort());
    expect(renderReport(model(runRows('run-1', 'run-1', AT, people.slice(0, 2))))).not.toContain(
      '<th class="w-role">Account',
    );
    expect(accountLine(m.byAccount?.accounts[1] as never)).toBe(
      `${B}: 2 deleted, 2 failed, 0 held by the guard, 0 kept, 0 planned · saving about $23 a month (1 READER × $3 + 1 READER_PRO × $20)`,
    );
  });

  it('looks as ever with one account', () => {
    const single = runRows('run-1', 'run-1', AT, people.slice(0, 3));
    const m = model(single);
    expect(m.byAccount).toBeUndefined();
    expect(renderReport(m)).not.toContain('By QuickSight account');
    // Rows that carry the home scope's bare key are the home account too.
    const keyed = single.map((r) => ({ ...r, scope: 'default' }));
    expect(model(keyed).byAccount).toBeUndefined();
  });

  it('names the account of a scope key: from the key, or home', () => {
    expect(accountOfScope(undefined, { accountId: HOME })).toBe(HOME);
    expect(accountOfScope('default', { accountId: HOME })).toBe(HOME);
    expect(accountOfScope(`${B}/sales`, { accountId: HOME })).toBe(B);
    expect(accountOfScope('333333333333/ops')).toBe('333333333333');
    expect(accountOfScope(undefined)).toBe('home account');
  });

  it('splits the savings of a period by account', () => {
    const out = periodSavings('2026-11-01T00:00:00.000Z', rows, prices, { accountId: HOME });
    expect(out.savings.seats).toBe(5);
    expect(out.byAccount?.map((a) => [a.account, a.savings.seats, a.monthly])).toEqual([
      [HOME, 3, 9],
      [B, 2, 23],
    ]);
    expect(
      periodSavings('2026-11-01T00:00:00.000Z', runRows('r', 'r', AT, people.slice(0, 2)), prices)
        .byAccount,
    ).toBeUndefined();
  });
});
