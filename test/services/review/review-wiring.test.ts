import { describe, expect, it } from 'vitest';
import type { ReviewSummary } from '../../../services/review/review-ports.js';
import {
  bucketReports,
  MAX_PRESIGN_SECONDS,
  presignSeconds,
  reviewPorts,
  topicSummary,
} from '../../../services/review/review-wiring.js';
import { loadConfig } from '../../../shared/config/index.js';
import type { OperatorNotice } from '../../../shared/operator-notices.js';

const quiet = { info: () => undefined, warn: () => undefined };

describe('the review ports from the configuration', () => {
  it('keeps the link valid for the approval window, within the 7 days SigV4 allows', () => {
    expect(presignSeconds(1)).toBe(86_400);
    expect(presignSeconds(7)).toBe(MAX_PRESIGN_SECONDS);
    expect(presignSeconds(30)).toBe(MAX_PRESIGN_SECONDS);
  });

  it('puts every file under runs/RUN/, the final HTML also as the run report, and links the HTML', async () => {
    const puts: Array<[string, string]> = [];
    const signed: Array<[string, number]> = [];
    const reports = bucketReports(
      {
        put: async (key, _body, type) => void puts.push([key, type]),
        presignedGetUrl: async (key, s) => {
          signed.push([key, s]);
          return `https://signed/${key}`;
        },
      },
      3600,
    );
    const link = await reports.put('RUN-1', [
      { name: 'final.html', contentType: 'text/html', body: '<html>' },
      { name: 'final.csv', contentType: 'text/csv', body: 'a,b' },
    ]);
    expect(puts).toEqual([
      ['runs/RUN-1/final.html', 'text/html; charset=utf-8'],
      ['runs/RUN-1/report.html', 'text/html; charset=utf-8'],
      ['runs/RUN-1/final.csv', 'text/csv; charset=utf-8'],
    ]);
    expect(signed).toEqual([['runs/RUN-1/final.html', 3600]]);
    expect(link).toBe('https://signed/runs/RUN-1/final.html');
  });

  it('publishes a summary on the topic in the operator-notice shape, logs it, and never throws', async () => {
    const sent: OperatorNotice[] = [];
    const logged: ReviewSummary[] = [];
    const summary: ReviewSummary = {
      kind: 'review_waiting',
      runId: 'RUN-2',
      headline: 'The monthly review RUN-2 puts 3 QuickSight users up for removal',
      lines: ['In the AWS console, run the approval function with this test event: {}'],
      reportUrl: 'https://signed/x',
    };
    await topicSummary({ publish: async (n) => void sent.push(n) }, 'idsync', quiet, (s) =>
      logged.push(s),
    ).publish(summary);
    expect(logged).toEqual([summary]);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ kind: 'review_waiting', runId: 'RUN-2' });
    expect(sent[0]?.subject).toMatch(/^idsync idsync: The monthly review RUN-2 puts 3/);
    expect(sent[0]?.body).toContain('Report: https://signed/x');
    expect(sent[0]?.body).toContain('test event');
    const failing = topicSummary(
      {
        publish: async () => {
          throw new Error('SNS down');
        },
      },
      'idsync',
      quiet,
      () => undefined,
    );
    await expect(failing.publish(summary)).resolves.toBeUndefined();
  });

  it('chooses the bucket and the topic only when configured, and hands on the notice rule it is given', () => {
    const base = {
      IDSYNC_GOOGLE_GROUPS: 'g@example.com',
      IDSYNC_IDENTITY_STORE_ID: 'd-1234567890',
      IDSYNC_QUICKSIGHT_ACCOUNT_ID: '123456789012',
      AWS_REGION: 'us-east-1',
    };
    const sections = ['quicksight', 'inactive', 'report', 'notice', 'lambda', 'plan'] as const;
    const local = { put: async () => 'local' };
    const notices = { judge: async () => ({ removals: [], noticed: [] }) };
    const plain = reviewPorts(loadConfig([...sections], base), quiet, {
      localReports: local,
      log: () => undefined,
    });
    expect(plain.reports).toBe(local);
    expect(plain.notices).toBeUndefined();
    plain.close();
    const full = reviewPorts(
      loadConfig([...sections], {
        ...base,
        IDSYNC_REPORTS_BUCKET: 'idsync-reports',
        IDSYNC_OPERATOR_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:ops',
        IDSYNC_NOTICE_FROM: 'idsync@example.com',
      }),
      quiet,
      { localReports: local, log: () => undefined, notices },
    );
    expect(full.reports).not.toBe(local);
    // The notice rule is built by the caller (a job imports no other job) and handed on as is.
    expect(full.notices).toBe(notices);
    full.close();
    // An explicit folder (`--reports DIR`) wins over the bucket.
    const chosen = { put: async () => 'chosen' };
    const explicit = reviewPorts(
      loadConfig([...sections], { ...base, IDSYNC_REPORTS_BUCKET: 'idsync-reports' }),
      quiet,
      { localReports: local, chosenReports: chosen, log: () => undefined },
    );
    expect(explicit.reports).toBe(chosen);
    explicit.close();
  });
});
