import { describe, expect, it } from 'vitest';
import { renderReport } from '../../../services/audit/render-report.js';
import { buildReportModel } from '../../../services/audit/report-model.js';
import { decisionRow } from '../../../services/removals/plan/run-plan.js';
import type { AuditRecord } from '../../../shared/dynamo/audit-store.js';
import { DEFAULT_PRICES } from '../../../shared/prices.js';
import { outcomeOf } from './audit-fixtures.js';

const RUN = '20261202T100000Z-idle';
const AT = '2026-12-02T10:00:00.000Z';

function idleDecision(email: string, role: string, seen: string): AuditRecord {
  const userName = `AWSReservedSSO_QuickSight_0123/${email}`;
  return decisionRow(RUN, AT, {
    email,
    source: 'inactive',
    sources: ['inactive'],
    decision: 'delete',
    reason: `${role} user ${userName} is idle; named by idle rule (${seen})`,
    detail: seen,
    member: true,
    quickSightUser: { userName, arn: `arn:x:${userName}`, role, identityType: 'IAM' },
  });
}

const soon = (email: string, idleAfter: string): AuditRecord => ({
  runId: RUN,
  at: AT,
  kind: 'idle_soon',
  email,
  userName: `r/${email}`,
  role: 'READER',
  source: 'inactive',
  reason: 'active within 60 days (last active 2026-10-20, GetDashboard, from CloudTrail)',
  detail: { idleAfter },
});

describe('the Idle Readers section of the report', () => {
  const rows: AuditRecord[] = [
    idleDecision(
      'a@example.com',
      'READER',
      'last active 2026-09-14, GetDashboard, from CloudTrail',
    ),
    idleDecision('b@example.com', 'READER', 'no activity since the record began on 2026-09-03'),
    idleDecision('c@example.com', 'READER_PRO', 'no activity since the record began on 2026-09-03'),
    soon('late@example.com', '2026-12-19T00:00:00.000Z'),
    soon('early@example.com', '2026-12-05T00:00:00.000Z'),
  ];
  for (const email of ['a@example.com', 'c@example.com']) {
    const role = email.startsWith('c') ? 'READER_PRO' : 'READER';
    rows.push(
      outcomeOf(RUN, RUN, AT, {
        email,
        userName: `AWSReservedSSO_QuickSight_0123/${email}`,
        role,
        source: 'inactive',
        decision: 'delete',
        outcome: 'deleted',
      }),
    );
  }

  it('lists last activity per user, who turns idle soon, and the saving of deleted idle users by role', () => {
    const m = buildReportModel({ runId: RUN, rows, prices: DEFAULT_PRICES, generatedAt: AT });
    expect(m.idle?.users.map((u) => [u.email, u.status, u.seen])).toEqual([
      ['b@example.com', 'planned', 'no activity since the record began on 2026-09-03'],
      ['a@example.com', 'deleted', 'last active 2026-09-14, GetDashboard, from CloudTrail'],
      ['c@example.com', 'deleted', 'no activity since the record began on 2026-09-03'],
    ]);
    expect(m.idle?.soon.map((s) => s.email)).toEqual(['early@example.com', 'late@example.com']);
    // Priced by role: the READER at 3, the READER_PRO at 20.
    expect(m.idle).toMatchObject({ deleted: 2, savings: { seats: 2, monthly: 23 } });
    const html = renderReport(m);
    expect(html).toContain('<h2 id="idle">Idle Readers</h2>');
    expect(html).toContain('about $23 a month saved (1 READER × $3 + 1 READER_PRO × $20)');
    expect(html).toContain('idle (no activity)');
  });

  it('is left out of runs that judged nobody idle', () => {
    const m = buildReportModel({
      runId: RUN,
      rows: rows.slice(0, 0),
      prices: DEFAULT_PRICES,
      generatedAt: AT,
    });
    expect(m.idle).toBeUndefined();
    expect(renderReport(m)).not.toContain('id="idle"');
  });
});

describe('kept users and dry runs in the report', () => {
  const kept: AuditRecord = {
    runId: RUN,
    at: AT,
    kind: 'decision',
    email: 'mailed@example.com',
    userName: 'r/mailed@example.com',
    role: 'READER',
    source: 'inactive',
    decision: 'kept',
    reason: 'kept: member of reports@example.com (IDSYNC_INACTIVE_KEEP_GROUPS)',
    detail: { keepGroup: 'reports@example.com' },
  };
  const planned = idleDecision('idle@example.com', 'READER', 'no activity since the record began');

  it('lists a kept user in the Idle Readers section, as kept, with its reason', () => {
    const model = buildReportModel({
      runId: RUN,
      rows: [kept, planned],
      prices: DEFAULT_PRICES,
      generatedAt: AT,
    });
    expect(model.idle?.users.map((u) => [u.email, u.status])).toEqual([
      ['idle@example.com', 'planned'],
      ['mailed@example.com', 'kept'],
    ]);
    const html = renderReport(model);
    const idle = html.slice(html.indexOf('<h2 id="idle">'));
    expect(idle).toContain('Kept (keep group)');
    expect(idle).toContain('kept: member of reports@example.com (IDSYNC_INACTIVE_KEEP_GROUPS)');
    expect(idle).toContain('1 user was kept as members of a keep group (never idle).');
    expect(html).toContain(
      '1 user was kept as members of a keep group (IDSYNC_INACTIVE_KEEP_GROUPS), whatever their activity',
    );
  });

  it('a dry run says so in its headline: nothing deleted, and what would be', () => {
    const dry = buildReportModel({
      runId: RUN,
      rows: [kept, planned],
      prices: DEFAULT_PRICES,
      generatedAt: AT,
      dryRun: true,
    });
    const html = renderReport(dry);
    expect(html).toContain(
      'idsync ran a dry run: nothing was deleted. It would remove 1 QuickSight user of 1 person who had not used QuickSight for the days asked (idle); run again with --apply to delete them.',
    );
    const none = renderReport(
      buildReportModel({
        runId: RUN,
        rows: [kept],
        prices: DEFAULT_PRICES,
        generatedAt: AT,
        dryRun: true,
      }),
    );
    expect(none).toContain(
      'idsync ran a dry run: nothing was deleted, and it found no QuickSight user to remove.',
    );
    // Without the flag, the headline stays the one of a plan whose deletions run elsewhere.
    const plain = renderReport(
      buildReportModel({
        runId: RUN,
        rows: [kept, planned],
        prices: DEFAULT_PRICES,
        generatedAt: AT,
      }),
    );
    expect(plain).not.toContain('ran a dry run');
  });
});
