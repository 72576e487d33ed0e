import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReport } from '../../services/audit/render-report.js';
import { buildReportModel } from '../../services/audit/report-model.js';
import { decisionRow } from '../../services/removals/plan/run-plan.js';
import type { AuditRecord } from '../../shared/dynamo/audit-store.js';
import { DEFAULT_PRICES } from '../../shared/prices.js';
import { type PersonSpec, runRows } from '../services/audit/audit-fixtures.js';

/**
 * Reports a person can read at any size, in Debian's chromium at 1280 px: a run of 10,000 rows
 * and one shaped like the demo's idle run (895 idle Readers, 291 idle soon) stay under
 * 10,000 px tall, with the summary and the chart first and every table folded past its first
 * rows; sorting and filtering reach the folded rows; without script the fold still opens.
 * Screenshots: test-output/report-10000.png, test-output/report-demo-idle.png.
 */

const CHROMIUM = '/usr/bin/chromium';
const outDir = join(new URL('../..', import.meta.url).pathname, 'test-output');
const RUN = '20261207T101500Z-a1b2';
const AT = new Date(Date.now() - 3_600_000).toISOString();
const MAX_HEIGHT = 10_000;

const userOf = (email: string, role = 'Reader') =>
  `AWSReservedSSO_QuickSight${role}_0d1c0cec97a28b88/${email}`;

function leavers(count: number): PersonSpec[] {
  return Array.from({ length: count }, (_, i) => {
    const email = `leaver${String(i).padStart(5, '0')}@example.com`;
    return {
      email,
      userName: userOf(email),
      decision: 'delete',
      reason: 'READER user belongs to a leaver; named by group removal',
      outcome: i % 97 === 5 ? 'failed' : 'deleted',
      ...(i % 97 === 5 ? { error: 'InternalFailureException: try again later' } : {}),
    };
  });
}

/** Idle Readers named by `idsync inactive` (deleted), and those who turn idle soon. */
function idleRows(idle: number, soon: number): AuditRecord[] {
  const rows: AuditRecord[] = [];
  for (let i = 0; i < idle; i++) {
    const email = `idle${String(i).padStart(5, '0')}@example.com`;
    const userName = userOf(email);
    const seen =
      i % 3 === 0
        ? 'no activity since the record began on 2026-09-08'
        : `last active 2026-09-${String(10 + (i % 20)).padStart(2, '0')}, GetDashboard, from CloudTrail`;
    rows.push(
      decisionRow(RUN, AT, {
        email,
        source: 'inactive',
        sources: ['inactive'],
        decision: 'delete',
        reason: `READER user ${userName} is idle; named by idle rule (${seen})`,
        detail: seen,
        member: true,
        quickSightUser: {
          userName,
          arn: `arn:aws:quicksight:us-east-1:111122223333:user/default/${userName}`,
          role: 'READER',
          identityType: 'IAM',
        },
      }),
      ...runRows(RUN, RUN, AT, [
        {
          email,
          userName,
          role: 'READER',
          source: 'inactive',
          decision: 'delete',
          outcome: 'deleted',
        },
      ]).filter((r) => r.kind === 'outcome'),
    );
  }
  for (let i = 0; i < soon; i++) {
    const email = `soon${String(i).padStart(5, '0')}@example.com`;
    rows.push({
      runId: RUN,
      at: AT,
      kind: 'idle_soon',
      email,
      userName: userOf(email),
      role: 'READER',
      source: 'inactive',
      reason: `active within 60 days (last active 2026-10-${String(1 + (i % 28)).padStart(2, '0')}, DescribeDashboard, from CloudTrail)`,
      detail: { idleAfter: `2026-12-${String(8 + (i % 14)).padStart(2, '0')}T08:00:00.000Z` },
    });
  }
  return rows;
}

async function writeHtml(name: string, rows: AuditRecord[]): Promise<string> {
  const model = buildReportModel({
    runId: RUN,
    rows,
    prices: DEFAULT_PRICES,
    generatedAt: new Date().toISOString(),
  });
  const path = join(outDir, name);
  await writeFile(path, renderReport(model), 'utf8');
  return pathToFileURL(path).href;
}

let browser: Browser;
let big: string;
let demoIdle: string;
const problems: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  await mkdir(outDir, { recursive: true });
  big = await writeHtml('report-10000.html', [
    ...runRows(RUN, RUN, AT, leavers(8_700)),
    ...idleRows(1_000, 300),
  ]);
  demoIdle = await writeHtml('report-demo-idle.html', [
    ...idleRows(895, 291),
    ...runRows(RUN, RUN, AT, [
      {
        email: 'rosa.anderson@example.com',
        userName: userOf('rosa.anderson@example.com'),
        source: 'inactive',
        decision: 'protected',
        reason: 'rosa.anderson@example.com is in the protected users; named by idle rule',
      },
    ]),
  ]);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

async function open(url: string, javaScriptEnabled = true): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    javaScriptEnabled,
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  await page.goto(url);
  return page;
}

// Run in the page (a string: the test's TypeScript has no DOM types).
const height = (page: Page) => page.evaluate<number>('document.documentElement.scrollHeight');
const top = (page: Page, selector: string) =>
  page.evaluate<number>(
    `document.querySelector(${JSON.stringify(selector)}).getBoundingClientRect().top + window.scrollY`,
  );

describe('reports a person can read, at any size', { timeout: 120_000 }, () => {
  it('10,000 rows: under 10,000 px at 1280 px wide, summary and chart first, tables folded', async () => {
    const page = await open(big);
    const h = await height(page);
    console.log(`report-10000.html: ${h} px tall at 1280 px`);
    expect(h).toBeLessThan(MAX_HEIGHT);
    expect(await top(page, '#summary')).toBeLessThan(await top(page, 'svg[role="img"]'));
    expect(await top(page, 'svg[role="img"]')).toBeLessThan(await top(page, '#idle'));
    expect(await top(page, 'svg[role="img"]')).toBeLessThan(1_200);
    expect(await page.$$eval('#people tbody tr', (r) => r.length)).toBe(50);
    expect(await page.$$eval('#idle-users tbody tr', (r) => r.length)).toBe(50);
    // 90 failures: the attention list is folded too.
    expect(await page.$$eval('#attention tbody tr', (r) => r.length)).toBe(50);
    expect(await page.textContent('[data-more-for="attention"] summary')).toBe('Show 40 more rows');
    expect(await page.textContent('[data-more-for="people"] summary')).toBe('Show 9,650 more rows');
    expect(await page.textContent('#shown')).toBe('Showing 9,700 of 9,700');
    await page.screenshot({ path: join(outDir, 'report-10000.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('filters and sorts every row, folded ones included (the idle table too)', async () => {
    const page = await open(big);
    await page.fill('#filter', 'leaver08600@');
    expect(
      await page.$$eval('#people tbody tr:not([hidden]) td:nth-child(2)', (c) =>
        c.map((x) => x.textContent),
      ),
    ).toEqual(['leaver08600@example.com']);
    expect(await page.isHidden('[data-more-for="people"]')).toBe(true);
    await page.fill('#filter', '');
    await page.fill('#idle-filter', 'idle00999@');
    expect(await page.textContent('#idle-shown')).toBe('Showing 1 of 1,000');
    await page.fill('#idle-filter', '');
    await page.click('#idle-users th:nth-child(2) button');
    await page.click('#idle-users th:nth-child(2) button');
    expect(await page.textContent('#idle-users tbody tr:first-child td:nth-child(2)')).toBe(
      'idle00999@example.com',
    );
    expect(await page.getAttribute('#idle-users th:nth-child(2)', 'aria-sort')).toBe('descending');
    expect(problems).toEqual([]);
  });

  it('shows the user name once: not again in the reason', async () => {
    const page = await open(big);
    const reasons = await page.$$eval('#people tbody tr td.reason, #idle-users td.reason', (c) =>
      c.map((x) => x.textContent ?? ''),
    );
    expect(reasons.length).toBeGreaterThan(0);
    for (const r of reasons) expect(r).not.toContain('AWSReservedSSO_');
  });

  it('without script, the fold opens and shows the other rows', async () => {
    const page = await open(big, false);
    const closed = await height(page);
    expect(closed).toBeLessThan(MAX_HEIGHT);
    await page.click('[data-more-for="people"] summary');
    expect(await page.isVisible('[data-more-for="people"] tbody tr:last-child')).toBe(true);
    expect(await height(page)).toBeGreaterThan(closed + 100_000);
  });

  it("the demo's idle report: under 10,000 px, the chart before the idle rows", async () => {
    const page = await open(demoIdle);
    const h = await height(page);
    console.log(`report-demo-idle.html: ${h} px tall at 1280 px`);
    expect(h).toBeLessThan(MAX_HEIGHT);
    expect(await top(page, 'svg[role="img"]')).toBeLessThan(await top(page, '#idle-users'));
    expect(await page.$$eval('#idle-soon tbody tr', (r) => r.length)).toBe(50);
    await page.screenshot({ path: join(outDir, 'report-demo-idle.png'), fullPage: true });
    expect(problems).toEqual([]);
  });
});
