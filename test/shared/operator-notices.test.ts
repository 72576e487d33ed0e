import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GUARD_TRIPPED_PREFIX, summarizeWork } from '../../shared/held-work.js';
import {
  noticeSubject,
  type OperatorNotice,
  planRunNotice,
  publishRunSummary,
  reviewNotice,
} from '../../shared/operator-notices.js';
import type { Task } from '../../shared/task.js';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const blocked = (id: string, reason: string): Task => ({
  taskId: id,
  status: 'BLOCKED',
  blockReason: reason,
  runId: 'plan-1',
  email: `${id}@example.com`,
  userName: id,
  arn: `arn:${id}`,
  role: 'READER',
  identityType: 'IAM',
  source: 'group_removal',
  reason: 'left',
  createdAt: new Date(NOW).toISOString(),
  updatedAt: new Date(NOW).toISOString(),
  attempts: 0,
});
const silent = { info: () => {}, warn: () => {} };

describe('operator notices', () => {
  it('a subject SNS always takes: printable ASCII, one line, at most 100 characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        // SNS: 1 to 100 printable ASCII characters (the stand-in refuses anything else too).
        expect(noticeSubject(text)).toMatch(/^[\x20-\x7e]{1,100}$/);
      }),
    );
    expect(noticeSubject('a\nb\tc')).toBe('a b c');
    expect(noticeSubject('x'.repeat(150))).toHaveLength(100);
  });

  it('a plan run tells the operators only when it newly held removals: guard tripped or work held', () => {
    const work = summarizeWork(
      [
        blocked('a', `${GUARD_TRIPPED_PREFIX}2 deletions exceed IDSYNC_MAX_DELETIONS=1`),
        blocked('b', 'window'),
      ],
      NOW,
    );
    const base = {
      deployment: 'idsync',
      runId: 'plan-9',
      reasons: ['2 deletions exceed IDSYNC_MAX_DELETIONS=1'],
      work,
    };
    expect(planRunNotice({ ...base, tripped: true, newlyHeld: 0 })).toBeUndefined();
    const tripped = planRunNotice({ ...base, tripped: true, newlyHeld: 1 });
    expect(tripped?.kind).toBe('guard_tripped');
    expect(tripped?.subject).toBe('idsync idsync: the safety guard stopped plan plan-9');
    expect(tripped?.body).toContain('2 deletions exceed IDSYNC_MAX_DELETIONS=1');
    expect(tripped?.body).toContain('idsync apply --max-deletions 2');
    const held = planRunNotice({ ...base, tripped: false, newlyHeld: 1 });
    expect(held?.kind).toBe('work_held');
    expect(held?.subject).toBe('idsync idsync: 2 removals held');
    expect(held?.body).toContain('1 blocked (guard window budget spent), 1 held by the guard');
  });

  it('review summaries carry their lines and the report link', () => {
    const n = reviewNotice({
      kind: 'review_waiting',
      deployment: 'idsync',
      runId: 'review-1',
      headline: '12 idle Readers await your approval ($36 a month)',
      lines: ['Approve: idsync review approve review-1'],
      reportUrl: 'https://bucket.s3.amazonaws.com/runs/review-1/report.html?X-Amz-Expires=604800',
    });
    expect(n.subject).toBe('idsync idsync: 12 idle Readers await your approval ($36 a month)');
    expect(n.body.split('\n')).toContain(
      'Report: https://bucket.s3.amazonaws.com/runs/review-1/report.html?X-Amz-Expires=604800',
    );
  });

  it('publishing never throws: a failure is logged and reported as false', async () => {
    const sent: OperatorNotice[] = [];
    const notice = reviewNotice({
      kind: 'review_done',
      deployment: 'd',
      runId: 'r',
      headline: 'h',
      lines: [],
    });
    expect(
      await publishRunSummary({ publish: async (x) => void sent.push(x) }, notice, silent),
    ).toBe(true);
    expect(sent).toEqual([notice]);
    const warned: unknown[] = [];
    const failing = { publish: async () => Promise.reject(new Error('AuthorizationError')) };
    expect(
      await publishRunSummary(failing, notice, {
        info: () => {},
        warn: (o: unknown) => void warned.push(o),
      }),
    ).toBe(false);
    expect(warned).toHaveLength(1);
    expect(await publishRunSummary(undefined, notice, silent)).toBe(false);
  });
});
