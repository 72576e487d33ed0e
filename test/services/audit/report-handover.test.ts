import { describe, expect, it } from 'vitest';
import { renderReport } from '../../../services/audit/render-report.js';
import { handoverSection } from '../../../services/audit/report-handover.js';
import { buildReportModel } from '../../../services/audit/report-model.js';
import { handoverSentence } from '../../../services/audit/report-text.js';
import { reportCounts } from '../../../services/audit/write-report.js';
import type { AuditRecord } from '../../../shared/dynamo/audit-store.js';
import { DEFAULT_PRICES } from '../../../shared/prices.js';
import { runRows } from './audit-fixtures.js';

const AT = '2026-11-27T16:47:00.000Z';

/** The rows a handover writes for one asset (services/removals/handover/handover-rows.ts). */
function handed(
  userName: string,
  type: string,
  id: string,
  states: readonly ('granting' | 'verified')[],
  name?: string,
): AuditRecord[] {
  return states.map((state) => ({
    runId: 'run-1',
    at: AT,
    kind: 'handover',
    email: `${userName}@example.com`,
    userName,
    role: 'AUTHOR',
    source: 'group_removal',
    reason: `handed over to bi-lead`,
    detail: {
      taskId: `default#${userName}`,
      state,
      successor: 'bi-lead',
      assetType: type.toLowerCase(),
      type,
      id,
      ...(name ? { name } : {}),
      arn: `arn:${id}`,
      from: `arn:user/${userName}`,
      to: 'arn:user/bi-lead',
    },
  }));
}

const ROWS: AuditRecord[] = [
  ...runRows('run-1', 'run-1', AT, [
    {
      email: 'ann@example.com',
      userName: 'ann',
      role: 'AUTHOR',
      decision: 'delete',
      outcome: 'deleted',
    },
  ]),
  ...handed('ann', 'DASHBOARD', 'd1', ['granting', 'verified'], 'Sales <Q4>'),
  ...handed('ann', 'DASHBOARD', 'd2', ['granting', 'verified']),
  ...handed('ann', 'DATASET', 's1', ['granting', 'verified'], 'Orders'),
  ...handed('bob', 'FOLDER', 'f1', ['granting'], 'Team'),
];

const model = () =>
  buildReportModel({ runId: 'run-1', rows: ROWS, prices: DEFAULT_PRICES, generatedAt: AT });

describe('the report shows the handed-over assets', () => {
  it('model: each verified asset (type, name or id, from, to), counts by type, unconfirmed apart', () => {
    const h = model().handedOver;
    expect(h?.assets.map((a) => [a.type, a.name ?? a.id, a.from, a.to])).toEqual([
      ['DASHBOARD', 'Sales <Q4>', 'ann', 'bi-lead'],
      ['DASHBOARD', 'd2', 'ann', 'bi-lead'],
      ['DATASET', 'Orders', 'ann', 'bi-lead'],
    ]);
    expect(h?.byType).toEqual({ DASHBOARD: 2, DATASET: 1 });
    expect(h?.text).toBe('2 dashboards, 1 dataset');
    expect(h?.unconfirmed.map((a) => `${a.type}/${a.id}`)).toEqual(['FOLDER/f1']);
  });

  it('a row without a state (written after its check) counts as handed over', () => {
    const legacy = handed('ann', 'ANALYSIS', 'a1', ['verified']).map((r) => ({
      ...r,
      detail: { ...r.detail, state: undefined },
    }));
    expect(handoverSection(legacy)?.byType).toEqual({ ANALYSIS: 1 });
  });

  it('no handover rows: no section', () => {
    expect(handoverSection(runRows('run-1', 'run-1', AT, []))).toBeUndefined();
    expect(
      renderReport(
        buildReportModel({ runId: 'run-1', rows: [], prices: DEFAULT_PRICES, generatedAt: AT }),
      ),
    ).not.toContain('id="handed-over"');
  });

  it('text: the headline says how many, by type, and what is not confirmed', () => {
    const h = model().handedOver;
    if (!h) throw new Error('no section');
    expect(handoverSentence(h)).toBe(
      '3 assets of 1 departing user were handed over to a successor before the seat ended or changed: 2 dashboards, 1 dataset. 1 grant was recorded but not confirmed.',
    );
  });

  it('HTML: a Handed over section with a row per asset, escaped, and counts by type', () => {
    const html = renderReport(model());
    const section = html.slice(
      html.indexOf('<h2 id="handed-over">'),
      html.indexOf('<h2', html.indexOf('<h2 id="handed-over">') + 1),
    );
    expect(section).toContain('data-handed-over="3"');
    expect(section).toContain('data-dashboard="2"');
    expect(section).toContain('data-dataset="1"');
    expect(section).toContain(
      '<td>DASHBOARD</td><td class="id" title="d1">Sales &lt;Q4&gt;</td><td class="id user">ann</td><td class="id user">bi-lead</td>',
    );
    expect(section).toContain('<td class="id" title="d2">d2</td>');
    expect(section).toContain('id="handover-unconfirmed"');
    expect(section).toContain('title="f1">Team</td>');
  });

  it('--json counts: handed over by type', () => {
    const counts = reportCounts(model());
    expect(counts.handedOver).toBe(3);
    expect(counts.handedOverByType).toEqual({ DASHBOARD: 2, DATASET: 1 });
  });
});
