import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney } from '../../services/audit/report-text.js';
import { writeReport } from '../../services/audit/write-report.js';
import { decisionRow } from '../../services/removals/plan/run-plan.js';
import { type AuditRecord, DynamoAuditLog } from '../../shared/dynamo/audit-store.js';
import { DEFAULT_PRICES, savingsByRole } from '../../shared/prices.js';
import { startTestTables } from '../helpers/tables.js';
import { AWKWARD_PEOPLE, type PersonSpec, runRows } from '../services/audit/audit-fixtures.js';

/**
 * Opens the operator report in Debian's chromium: the counts it shows match the audit, sorting
 * and filtering work, nothing is fetched, no script runs from the data. Screenshot:
 * test-output/report.png.
 */

const CHROMIUM = '/usr/bin/chromium';
const outDir = join(new URL('../..', import.meta.url).pathname, 'test-output');
const RUN = '20261127T164701Z-3f9a';
const AT = new Date(Date.now() - 3_600_000).toISOString();

const leavers: PersonSpec[] = Array.from({ length: 24 }, (_, i) => ({
  email: `leaver${String(i).padStart(2, '0')}@example.com`,
  userName: `AWSReservedSSO_QuickSightReader_0123456789abcdef/leaver${String(i).padStart(2, '0')}@example.com`,
  decision: 'delete',
  reason: 'READER user belongs to a leaver; named by group removal',
  outcome: i === 5 ? 'failed' : i === 7 ? 'cancelled' : 'deleted',
  ...(i === 5 ? { error: 'InternalFailureException: try again later' } : {}),
}));
const people: PersonSpec[] = [
  ...AWKWARD_PEOPLE,
  ...leavers,
  {
    email: 'author@example.com',
    userName: 'author/author@example.com',
    role: 'AUTHOR',
    decision: 'protected',
    reason: 'role AUTHOR is protected',
  },
  {
    email: 'back@example.com',
    userName: 'reader/back@example.com',
    decision: 'deferred',
    reason: 'back@example.com is in a configured group in the newest snapshot (re-joined)',
  },
];

/** Idle users named by `idsync inactive`, and two who turn idle soon. */
const idle = [
  [
    'idle1@example.com',
    'READER',
    'last active 2026-09-14, GetDashboard, from CloudTrail',
    'deleted',
  ],
  ['idle2@example.com', 'READER', 'no activity since the record began on 2026-09-03', 'deleted'],
  [
    'idle3@example.com',
    'READER_PRO',
    'no activity since the record began on 2026-09-03',
    'deleted',
  ],
] as const;
const idleUser = (email: string) => `AWSReservedSSO_QuickSightReader_0123456789abcdef/${email}`;
function idleRows(): AuditRecord[] {
  const rows: AuditRecord[] = [];
  for (const [email, role, seen, outcome] of idle) {
    const userName = idleUser(email);
    rows.push(
      decisionRow(RUN, AT, {
        email,
        source: 'inactive',
        sources: ['inactive'],
        decision: 'delete',
        reason: `${role} user ${userName} is idle; named by idle rule (${seen})`,
        detail: seen,
        member: true,
        quickSightUser: {
          userName,
          arn: `arn:aws:quicksight:::user/default/${userName}`,
          role,
          identityType: 'IAM',
        },
      }),
      ...runRows(RUN, RUN, AT, [
        { email, userName, role, source: 'inactive', decision: 'delete', outcome },
      ]).filter((r) => r.kind === 'outcome'),
    );
  }
  for (const [email, idleAfter] of [
    ['soon2@example.com', '2026-12-20T08:00:00.000Z'],
    ['soon1@example.com', '2026-12-09T08:00:00.000Z'],
  ]) {
    rows.push({
      runId: RUN,
      at: AT,
      kind: 'idle_soon',
      email,
      userName: idleUser(email ?? ''),
      role: 'READER',
      source: 'inactive',
      reason: 'active within 60 days (last active 2026-10-10, GetDashboard, from CloudTrail)',
      detail: { idleAfter },
    });
  }
  return rows;
}

let tables: Awaited<ReturnType<typeof startTestTables>>;
let browser: Browser;
let page: Page;
let audit: AuditRecord[];
const requests: string[] = [];
const problems: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  tables = await startTestTables();
  const log = new DynamoAuditLog(tables.doc, tables.names.audit);
  await log.append([
    ...runRows(RUN, RUN, AT, people),
    ...idleRows(),
    {
      runId: RUN,
      at: AT,
      kind: 'event',
      outcome: 'unresolved',
      userId: '906782d5-bad0-4d5c-9ab1-000000000000',
      reason: 'DeleteUser of an IdC user idsync never saw',
    },
  ]);
  audit = [];
  for await (const page of log.byRun(RUN)) audit.push(...page);
  await mkdir(outDir, { recursive: true });
  const written = await writeReport(
    { audit: log, doc: tables.doc, names: tables.names },
    { out: join(outDir, 'report.html'), prices: DEFAULT_PRICES },
  );
  expect(written.runId).toBe(RUN);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(pathToFileURL(written.path).href);
});

afterAll(async () => {
  await browser?.close();
  await tables?.close();
});

const count = (kind: string, key: string) =>
  audit.filter((r) => r.kind === kind && (kind === 'decision' ? r.decision : r.outcome) === key)
    .length;
const visibleEmails = () =>
  page.$$eval('#people tbody tr:not([hidden]) td:nth-child(2)', (cells) =>
    cells.map((c) => c.textContent ?? ''),
  );

describe('the operator report in a browser', () => {
  it('shows the counts of the audit in the chart, the cards and the table', async () => {
    const chart = await page.$$eval('[data-chart]', (gs) =>
      gs.map((g) => [
        g.getAttribute('data-chart'),
        Number(g.getAttribute('data-count')),
        g.textContent,
      ]),
    );
    for (const [key, shown, text] of chart) {
      const [kind, name] = String(key).split(':') as [string, string];
      expect(shown, String(key)).toBe(count(kind, name));
      expect(text).toContain(String(count(kind, name)));
    }
    const card = (name: string) => page.textContent(`[data-card="${name}"] .value`);
    expect(await card('deleted')).toBe(String(count('outcome', 'deleted')));
    expect(await card('failed')).toBe(String(count('outcome', 'failed')));
    const deletedRoles = audit
      .filter((r) => r.kind === 'outcome' && r.outcome === 'deleted')
      .map((r) => r.role ?? '');
    expect(await card('savings')).toBe(
      formatMoney(savingsByRole(DEFAULT_PRICES, deletedRoles).monthly),
    );
    expect(await page.$$eval('#people tbody tr', (rows) => rows.length)).toBe(
      audit.filter((r) => r.kind === 'decision').length,
    );
    expect(await page.textContent('#summary')).toContain(
      `idsync removed ${count('outcome', 'deleted')} QuickSight users`,
    );
  });

  it('lists failures and misses first', async () => {
    const statuses = await page.$$eval('#people tbody tr', (rows) =>
      rows.map((r) => r.getAttribute('data-status')),
    );
    expect(statuses.slice(0, 3)).toEqual(['failed', 'failed', 'not_found']);
    const attention = await page.$$eval('#attention tbody tr', (rows) =>
      rows.map((r) => r.getAttribute('data-kind')),
    );
    // Then the seats kept that need attention (protected and deferred leavers, with their cost).
    expect(attention).toEqual([
      'failed',
      'failed',
      'not_found',
      'unresolved_event',
      'deferred',
      'protected',
      'protected',
    ]);
  });

  it('sorts by a column when its header is clicked, and back', async () => {
    await page.click('#people th:nth-child(2) button');
    const ascending = await visibleEmails();
    expect(ascending).toEqual([...ascending].sort((a, b) => a.localeCompare(b)));
    expect(await page.getAttribute('#people th:nth-child(2)', 'aria-sort')).toBe('ascending');
    await page.click('#people th:nth-child(2) button');
    const descending = await visibleEmails();
    expect(descending).toEqual([...ascending].reverse());
    await page.click('#people th:nth-child(1) button');
    expect(await page.getAttribute('#people tbody tr:first-child', 'data-status')).toBe('failed');
  });

  it('filters the table as the operator types', async () => {
    const total = audit.filter((r) => r.kind === 'decision').length;
    await page.fill('#filter', '山田');
    expect(await visibleEmails()).toEqual(['yamada@example.jp']);
    expect(await page.textContent('#shown')).toBe(`Showing 1 of ${total}`);
    await page.fill('#filter', 'failed');
    expect((await visibleEmails()).sort()).toEqual(['leaver05@example.com', 'yamada@example.jp']);
    await page.fill('#filter', '');
    expect(await visibleEmails()).toHaveLength(total);
  });

  it('fetches nothing, runs no script from the data, and logs no error', async () => {
    expect(requests.every((u) => u.startsWith('file://'))).toBe(true);
    expect(problems).toEqual([]);
    expect(
      await page.locator('#people td', { hasText: 'reader/<img src=x onerror=alert(1)>' }).count(),
    ).toBe(1);
    expect(await page.locator('#people img').count()).toBe(0);
  });

  it('shows the Idle Readers: last active per user, who turns idle soon, the saving', async () => {
    const users = await page.$$eval('#idle-users tbody tr', (rows) =>
      rows.map((r) => [
        r.cells[1]?.textContent,
        r.getAttribute('data-status'),
        r.cells[4]?.textContent,
      ]),
    );
    expect(users).toEqual(idle.map(([email, , seen, outcome]) => [email, outcome, seen]));
    const idleDeleted = audit
      .filter((r) => r.kind === 'outcome' && r.outcome === 'deleted' && r.source === 'inactive')
      .map((r) => r.role ?? '');
    expect(idleDeleted.sort()).toEqual(['READER', 'READER', 'READER_PRO']);
    expect(await page.getAttribute('#idle', 'id')).toBe('idle');
    expect(await page.textContent('#idle-saving')).toContain(
      'about $26 a month saved (2 READER × $3 + 1 READER_PRO × $20)',
    );
    const soon = await page.$$eval('#idle-soon tbody tr', (rows) =>
      rows.map((r) => [r.cells[0]?.textContent, r.cells[1]?.textContent]),
    );
    expect(soon).toEqual([
      ['9 Dec 2026', 'soon1@example.com'],
      ['20 Dec 2026', 'soon2@example.com'],
    ]);
    expect(await page.textContent('#people')).toContain('idle (no activity)');
  });

  it('saves a screenshot for people to look at', async () => {
    await page.reload();
    const path = join(outDir, 'report.png');
    await page.screenshot({ path, fullPage: true });
    expect(existsSync(path)).toBe(true);
  });
});
