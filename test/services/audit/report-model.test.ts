import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildReportModel, STATUS_ORDER } from '../../../services/audit/report-model.js';
import { savingsSentence, summarySentences } from '../../../services/audit/report-text.js';
import { DECISION_KINDS } from '../../../shared/domain.js';
import type { AuditRecord } from '../../../shared/dynamo/audit-store.js';
import { DEFAULT_PRICES } from '../../../shared/prices.js';
import { AWKWARD_PEOPLE, type PersonSpec, runRows } from './audit-fixtures.js';

const AT = '2026-11-27T16:47:00.000Z';
const model = (
  rows: AuditRecord[],
  runId = 'run-1',
  planRows: AuditRecord[] = [],
  readerPrice = 3,
) =>
  buildReportModel({
    runId,
    rows,
    planRows,
    prices: { ...DEFAULT_PRICES, READER: readerPrice },
    generatedAt: AT,
  });

const leaver = (i: number, extra: Partial<PersonSpec> = {}): PersonSpec => ({
  email: `p${i}@example.com`,
  userName: `reader/p${i}@example.com`,
  decision: 'delete',
  outcome: 'deleted',
  ...extra,
});

describe('buildReportModel', () => {
  it('counts decisions and outcomes of a reconcile run and estimates savings by role', () => {
    const people = [
      ...Array.from({ length: 5 }, (_, i) => leaver(i)),
      leaver(5, { role: 'READER_PRO' }),
      leaver(6, { outcome: 'failed', error: 'ThrottlingException' }),
      leaver(7, { outcome: 'cancelled' }),
      ...AWKWARD_PEOPLE,
    ];
    const m = model(runRows('run-1', 'run-1', AT, people), 'run-1', [], 2.5);
    expect(m.decisionCounts).toEqual({ delete: 11, protected: 1, not_found: 1 });
    expect(m.outcomeCounts).toEqual({ deleted: 7, failed: 2, cancelled: 1, already_gone: 1 });
    // Every deleted user priced by role (IDSYNC_PRICES): Readers at 2.50, Reader Pro at 20.
    expect(m.savings).toEqual({
      byRole: [
        { role: 'READER', count: 6, price: 2.5, monthly: 15 },
        { role: 'READER_PRO', count: 1, price: 20, monthly: 20 },
      ],
      seats: 7,
      monthly: 35,
    });
    expect(m.failures.map((f) => f.email).sort()).toEqual(['p6@example.com', 'yamada@example.jp']);
    expect(m.failures.find((f) => f.email === 'yamada@example.jp')?.error).toContain('Throttling');
    expect(m.people).toBe(13);
    expect(m.startedAt).toBe(AT);
    expect(m.planRunIds).toEqual([]);
    expect(summarySentences(m)[0]).toBe(
      'On 27 Nov 2026 idsync removed 7 QuickSight users of 7 people who left the Google groups.',
    );
    expect(savingsSentence(m)).toContain(
      'about $35 a month (7 users deleted: 6 READER × $2.50 + 1 READER_PRO × $20 per month',
    );
    expect(savingsSentence(m)).toContain('estimate');
  });

  it('lists failures first, then misses, then the rest; every decision appears once', () => {
    const spec = fc.record({
      decision: fc.constantFrom(...DECISION_KINDS),
      outcome: fc.constantFrom(undefined, 'deleted', 'already_gone', 'failed', 'cancelled'),
    });
    fc.assert(
      fc.property(fc.array(spec, { maxLength: 30 }), (specs) => {
        const people = specs.map((s, i) =>
          s.decision === 'not_found'
            ? { email: `p${i}@x.com`, decision: s.decision }
            : leaver(i, {
                decision: s.decision,
                ...(s.decision === 'delete' && s.outcome
                  ? { outcome: s.outcome }
                  : { outcome: undefined }),
              }),
        );
        const m = model(runRows('run-1', 'run-1', AT, people));
        expect(m.rows).toHaveLength(people.length);
        const ranks = m.rows.map((r) => STATUS_ORDER.indexOf(r.status));
        expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
        for (const d of DECISION_KINDS)
          expect(m.decisionCounts[d] ?? 0).toBe(people.filter((p) => p.decision === d).length);
      }),
    );
  });

  it('collects misses: people without a QuickSight user, untraceable or bad events, bad CSV rows', () => {
    const rows: AuditRecord[] = [
      ...runRows('run-1', 'run-1', AT, [
        { email: 'gone@x.com', decision: 'not_found', reason: 'no QuickSight user' },
      ]),
      {
        runId: 'run-1',
        at: AT,
        kind: 'event',
        outcome: 'unresolved',
        userId: 'u-123',
        reason: 'not in the identity map',
      },
      {
        runId: 'run-1',
        at: AT,
        kind: 'event',
        outcome: 'rejected',
        reason: 'line 3: not JSON',
        detail: { line: 3 },
      },
      {
        runId: 'run-1',
        at: AT,
        kind: 'event',
        outcome: 'resolved',
        userId: 'u-9',
        email: 'a@x.com',
      },
      {
        runId: 'run-1',
        at: AT,
        kind: 'input_error',
        source: 'csv',
        reason: 'CSV line 4: not an email',
        detail: { line: 4 },
      },
    ];
    const m = model(rows);
    expect(m.misses).toEqual([
      { kind: 'not_found', subject: 'gone@x.com', reason: 'no QuickSight user' },
      { kind: 'unresolved_event', subject: 'u-123', reason: 'not in the identity map' },
      { kind: 'rejected_event', subject: 'event', reason: 'line 3: not JSON' },
      { kind: 'input_error', subject: 'CSV line 4', reason: 'CSV line 4: not an email' },
    ]);
    expect(m.eventCounts).toEqual({ unresolved: 1, rejected: 1, resolved: 1 });
    expect(m.inputErrors).toBe(1);
    expect(summarySentences(m).at(-1)).toBe(
      'Missed: 1 person named for removal had no QuickSight user; 2 deletion events could not be traced to a person; 1 input row was unusable.',
    );
  });

  it('an apply-only run joins its plan run: that plan’s misses and kept users, and only the deletions this run did', () => {
    const people = [
      leaver(1),
      leaver(2, { outcome: 'failed' }),
      leaver(3),
      leaver(4),
      { email: 'nf@x.com', decision: 'not_found' as const },
      {
        email: 'boss@x.com',
        userName: 'admin/boss',
        role: 'ADMIN',
        decision: 'protected' as const,
      },
    ];
    const plan = runRows('plan-1', 'plan-1', AT, people).filter((r) => r.kind === 'decision');
    const applied = runRows('plan-1', 'apply-1', AT, people.slice(0, 2)).filter(
      (r) => r.kind === 'outcome',
    );
    const m = model(applied, 'apply-1', plan);
    expect(m.planRunIds).toEqual(['plan-1']);
    expect(m.rows.map((r) => [r.email, r.status])).toEqual([
      ['p2@example.com', 'failed'],
      ['nf@x.com', 'not_found'],
      ['p1@example.com', 'deleted'],
      ['boss@x.com', 'protected'],
    ]);
    expect(m.outcomeCounts).toEqual({ deleted: 1, failed: 1 });
  });

  it('a run that planned too takes from an earlier plan run only the tasks it carried out, once each', () => {
    const earlier = runRows('plan-0', 'plan-0', AT, [
      leaver(1, { outcome: undefined }),
      leaver(2, { outcome: undefined }),
      { email: 'old-miss@x.com', decision: 'not_found' as const },
    ]);
    const now = [
      ...runRows('run-2', 'run-2', AT, [leaver(1, { outcome: undefined }), leaver(3)]),
      ...runRows('plan-0', 'run-2', AT, [leaver(1), leaver(2)]).filter((r) => r.kind === 'outcome'),
    ];
    const m = model(now, 'run-2', earlier);
    expect(m.rows.map((r) => [r.email, r.status])).toEqual([
      ['p1@example.com', 'deleted'],
      ['p2@example.com', 'deleted'],
      ['p3@example.com', 'deleted'],
    ]);
    expect(m.misses).toEqual([]);
    expect(m.outcomeCounts).toEqual({ deleted: 3 });
  });

  it('an outcome without its decision still gets a row; a dry run lists planned deletions', () => {
    const outcomeOnly = model(
      runRows('plan-x', 'apply-2', AT, [leaver(1)]).filter((r) => r.kind === 'outcome'),
      'apply-2',
    );
    expect(outcomeOnly.rows.map((r) => [r.email, r.status, r.decision])).toEqual([
      ['p1@example.com', 'deleted', 'delete'],
    ]);
    const dry = model(
      runRows('run-1', 'run-1', AT, [
        leaver(1, { outcome: undefined }),
        leaver(2, { outcome: undefined }),
      ]),
    );
    expect(dry.rows.every((r) => r.status === 'planned')).toBe(true);
    expect(summarySentences(dry)[0]).toContain('planned to remove 2 QuickSight users');
    expect(dry.savings.monthly).toBe(0);
  });

  it('a tripped guard is said first, with its reasons', () => {
    const blocked = model(
      runRows('run-1', 'run-1', AT, [
        leaver(1, {
          decision: 'blocked',
          outcome: undefined,
          reason: 'guard tripped: 950 deletions exceed IDSYNC_MAX_DELETIONS=100; was: READER user',
        }),
      ]),
    );
    expect(blocked.guardReasons).toEqual(['950 deletions exceed IDSYNC_MAX_DELETIONS=100']);
    expect(summarySentences(blocked)[0]).toMatch(
      /safety guard stopped idsync .*IDSYNC_MAX_DELETIONS=100.*Nothing was deleted/,
    );
  });
});

describe('the headline of a release run', () => {
  const WINDOW_REASON =
    'guard window: 3 of 3 deletions used in the last 24 h: budget spent, queued BLOCKED (release: idsync apply --max-deletions N); was: left';
  const blockedLeaver = (i: number, outcome?: 'deleted') =>
    leaver(i, {
      decision: 'blocked',
      reason: WINDOW_REASON,
      ...(outcome ? { outcome } : { outcome: undefined }),
    });

  it('says what the release deleted, not that the guard stopped everything', () => {
    const planRows = runRows('plan-0', 'apply-1', AT, [blockedLeaver(1), blockedLeaver(2)]);
    const outcomes = runRows('plan-0', 'apply-1', AT, [
      blockedLeaver(1, 'deleted'),
      blockedLeaver(2, 'deleted'),
    ]).filter((r) => r.kind === 'outcome');
    const m = model(outcomes, 'apply-1', planRows);
    const [headline, ...rest] = summarySentences(m);
    expect(headline).toMatch(/idsync removed 2 QuickSight users of 2 people/);
    expect(headline).not.toMatch(/safety guard|Nothing was deleted|\(\)/);
    expect(rest.join(' ')).not.toMatch(/safety guard/);
  });

  it('names what is still held beside what was deleted', () => {
    const planRows = runRows('plan-0', 'apply-1', AT, [blockedLeaver(1), blockedLeaver(2)]);
    const outcomes = runRows('plan-0', 'apply-1', AT, [blockedLeaver(1, 'deleted')]).filter(
      (r) => r.kind === 'outcome',
    );
    // The apply-only run reports its plan run's decisions: p2 is still blocked.
    const m = model(outcomes, 'apply-1', planRows);
    const sentences = summarySentences(m);
    expect(sentences[0]).toMatch(/idsync removed 1 QuickSight user of 1 person/);
    expect(sentences.join(' ')).toMatch(
      /The safety guard held 1 more deletion \(guard window: 3 of 3 deletions used .*\): not deleted; idsync status lists them/,
    );
  });
});

describe('the guard window in the report', () => {
  it('shows the budget the plan saw, from its decision rows', async () => {
    const { renderReport } = await import('../../../services/audit/render-report.js');
    const text = 'guard window: 7 of 10 deletions used in the last 24 h';
    const rows: AuditRecord[] = [
      {
        runId: 'r1',
        at: '2026-01-01T00:00:00.000Z',
        kind: 'decision',
        email: 'a@example.com',
        decision: 'not_found',
        reason: 'no QuickSight user',
        detail: { guardWindow: text },
      },
    ];
    const m = buildReportModel({ runId: 'r1', rows, prices: DEFAULT_PRICES, generatedAt: AT });
    expect(m.guardWindow).toBe(text);
    expect(renderReport(m)).toContain(`<p class="meta" id="guard-window">${text}</p>`);
    const none = buildReportModel({
      runId: 'r1',
      rows: [{ ...(rows[0] as AuditRecord), detail: {} }],
      prices: DEFAULT_PRICES,
      generatedAt: AT,
    });
    expect(none.guardWindow).toBeUndefined();
  });
});

describe('buildReportModel: IAM Identity Center users', () => {
  it('shows an ends_with_group decision as its own status and says why nothing was deleted', () => {
    const rows = runRows('run-1', 'run-1', AT, [
      {
        email: 'idc@example.com',
        userName: 'idc@example.com',
        decision: 'ends_with_group',
        reason:
          'READER user idc@example.com is IAM_IDENTITY_CENTER: the seat ends with the group; QuickSight removes it on 2027-01-01 (no API call)',
      },
    ]);
    const m = model(rows);
    expect(m.rows.map((r) => [r.email, r.status])).toEqual([
      ['idc@example.com', 'ends_with_group'],
    ]);
    expect(m.savings.seats).toBe(0);
    expect(summarySentences(m).join(' ')).toContain(
      '1 IAM Identity Center user was not deleted: QuickSight refuses that, and ends their seat with the group',
    );
  });
  it('shows a group removal idsync made (leave_group → left_group) as its own status', () => {
    const rows = runRows('run-1', 'run-1', AT, [
      {
        email: 'idc@example.com',
        userName: 'idc@example.com',
        decision: 'leave_group',
        reason: 'IAM_IDENTITY_CENTER user is idle: idc@example.com is taken out of Google group g',
        outcome: 'left_group',
      },
    ]);
    expect(model(rows).rows.map((r) => [r.email, r.status])).toEqual([
      ['idc@example.com', 'left_group'],
    ]);
  });
});
