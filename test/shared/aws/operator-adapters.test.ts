import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3StandIn, startS3StandIn } from '../../../services/sandbox/s3/stand-in.js';
import { type SnsStandIn, startSnsStandIn } from '../../../services/sandbox/sns/stand-in.js';
import { createS3Client, createSnsClient } from '../../../shared/aws/clients.js';
import { reportKey, S3Reports } from '../../../shared/aws/s3-reports.js';
import { SnsOperatorNotices } from '../../../shared/aws/sns-operator-notices.js';
import { loadConfig } from '../../../shared/config/index.js';
import { noticeSubject } from '../../../shared/operator-notices.js';

/** The SNS and S3 adapters against the sandbox's wire-level stand-ins, through the real SDK clients. */

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:idsync-operators';
const BUCKET = 'idsync-reports-test';

describe('operator topic and reports bucket adapters', () => {
  let sns: SnsStandIn;
  let s3: S3StandIn;
  let env: Record<string, string>;

  beforeAll(async () => {
    sns = await startSnsStandIn([TOPIC]);
    s3 = await startS3StandIn([BUCKET]);
    env = {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'sandbox',
      AWS_SECRET_ACCESS_KEY: 'sandbox',
      AWS_ENDPOINT_URL_SNS: sns.endpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
    };
  });
  afterAll(async () => {
    await sns?.close();
    await s3?.close();
  });

  it('publishes a summary to the topic; SNS refuses an unknown topic and a subject it does not take', async () => {
    const { aws } = loadConfig([], env);
    const client = createSnsClient(aws);
    await new SnsOperatorNotices(client, TOPIC).publish({
      kind: 'work_held',
      runId: 'run-1',
      subject: noticeSubject('idsync idsync: 3 removals held — 日本語 ok'),
      body: 'HELD: 3 removals are held\n',
    });
    expect(sns.published).toEqual([
      expect.objectContaining({
        topicArn: TOPIC,
        subject: 'idsync idsync: 3 removals held ok',
        message: 'HELD: 3 removals are held\n',
      }),
    ]);
    await expect(
      new SnsOperatorNotices(client, `${TOPIC}-gone`).publish({
        kind: 'work_held',
        runId: 'run-1',
        subject: 'x',
        body: 'y',
      }),
    ).rejects.toMatchObject({ name: 'NotFoundException' });
    const raw = new SNSClient({
      region: 'us-east-1',
      endpoint: sns.endpoint,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    await expect(
      raw.send(new PublishCommand({ TopicArn: TOPIC, Subject: 'two\nlines', Message: 'm' })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(
      raw.send(new PublishCommand({ TopicArn: TOPIC, Subject: 'x'.repeat(101), Message: 'm' })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    expect(sns.published).toHaveLength(1);
    client.destroy();
    raw.destroy();
  });

  it('puts, gets and lists reports; a missing report is undefined; a pre-signed link reads it without credentials', async () => {
    const { aws } = loadConfig([], env);
    const client = createS3Client(aws);
    const reports = new S3Reports(client, BUCKET);
    const html = '<!doctype html><p>Yamada 山田 &amp; co</p>';
    await reports.put(reportKey('run-1', 'report.html'), html, 'text/html; charset=utf-8');
    await reports.put('runs/run-1/review.csv', 'at,runId\n', 'text/csv; charset=utf-8');
    await reports.put(reportKey('run-2', 'report.html'), 'other', 'text/html');
    expect(await reports.get(reportKey('run-1', 'report.html'))).toBe(html);
    expect(await reports.get(reportKey('run-9', 'report.html'))).toBeUndefined();
    expect(await reports.list('runs/run-1/')).toEqual([
      'runs/run-1/report.html',
      'runs/run-1/review.csv',
    ]);
    const url = await reports.presignedGetUrl(reportKey('run-1', 'report.html'), 3600);
    expect(url).toContain('X-Amz-Expires=3600');
    const fetched = await fetch(url);
    expect(fetched.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await fetched.text()).toBe(html);
    await expect(new S3Reports(client, 'not-ours').get('runs/x/report.html')).rejects.toMatchObject(
      { name: 'NoSuchBucket' },
    );
    client.destroy();
  });
});
