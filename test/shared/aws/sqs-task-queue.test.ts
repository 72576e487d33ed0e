import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsCallError } from '../../../shared/aws/aws-errors.js';
import { createSqsClient } from '../../../shared/aws/clients.js';
import { parseTaskMessage, type TaskMessage } from '../../../shared/aws/sqs-task-messages.js';
import { sqsTaskQueue } from '../../../shared/aws/sqs-task-queue.js';
import { RemoteServiceError } from '../../../shared/errors.js';

/**
 * The SQS task queue, through the real `@aws-sdk/client-sqs` client, against a loopback server
 * that speaks SendMessageBatch in the protocol that client speaks (AWS JSON 1.0: `x-amz-target`
 * `AmazonSQS.SendMessageBatch`, errors as `__type`, MD5 of each accepted body in the answer,
 * which the client checks) and checks each request's SigV4 signature itself (the canonical
 * request of the AWS signing documentation, computed here, not with the SDK's signer).
 */

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token',
};
const REGION = 'us-east-1';
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/Idsync-WorkQueue';
const NO_WAIT = async () => {};

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) =>
  createHmac('sha256', key).update(data).digest();

/** Recomputes the Authorization header of a received request (AWS SigV4, service sqs). */
function expectedAuthorization(req: IncomingMessage, body: string): string {
  const amzDate = String(req.headers['x-amz-date']);
  const day = amzDate.slice(0, 8);
  const auth = String(req.headers.authorization);
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(auth)?.[1] ?? '';
  const names = signedHeaders.split(';');
  const canonical = [
    req.method,
    new URL(req.url ?? '/', 'http://x').pathname,
    '',
    ...names.map((n) => `${n}:${String(req.headers[n]).trim()}`),
    '',
    signedHeaders,
    sha256(body),
  ].join('\n');
  const scope = `${day}/${REGION}/sqs/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  let key = hmac(`AWS4${CREDENTIALS.secretAccessKey}`, day);
  for (const part of [REGION, 'sqs', 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  return `AWS4-HMAC-SHA256 Credential=${CREDENTIALS.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

const md5 = (data: string) => createHash('md5').update(data).digest('hex');
/** A Successful entry as SQS answers it (the client verifies MD5OfMessageBody). */
const accepted = (e: { Id: string; MessageBody: string }) => ({
  Id: e.Id,
  MessageId: `m-${e.Id}`,
  MD5OfMessageBody: md5(e.MessageBody),
});

interface Call {
  readonly entries: Array<{ Id: string; MessageBody: string }>;
  readonly signatureOk: boolean;
  readonly headers: IncomingMessage['headers'];
}

describe('sqsTaskQueue over a loopback SendMessageBatch endpoint', () => {
  let server: Server;
  let endpoint: string;
  const calls: Call[] = [];
  /** Per call: an answer to give instead of accepting every entry. */
  let script: Array<(entries: Call['entries']) => { status: number; body: unknown }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        const parsed = JSON.parse(body) as { QueueUrl: string; Entries: Call['entries'] };
        calls.push({
          entries: parsed.Entries,
          headers: req.headers,
          signatureOk: req.headers.authorization === expectedAuthorization(req, body),
        });
        const answer = script.shift()?.(parsed.Entries) ?? {
          status: 200,
          body: { Successful: parsed.Entries.map(accepted) },
        };
        res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    calls.length = 0;
    script = [];
  });

  const queue = () =>
    sqsTaskQueue({
      client: createSqsClient({
        region: REGION,
        credentials: CREDENTIALS,
        endpoints: { sqs: endpoint },
      }),
      queueUrl: QUEUE_URL,
      sleep: NO_WAIT,
    });
  const delivered = () =>
    calls.flatMap((c) =>
      c.entries.map((e) => {
        const p = parseTaskMessage(e.MessageBody);
        if (!p.ok) throw new Error(p.reason);
        return p.message.taskId;
      }),
    );

  it('sends every message once, 10 per signed SendMessageBatch call of the SDK client', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(
          fc.string({ minLength: 1, maxLength: 40 }).filter((id) => id.trim() !== ''),
          { maxLength: 35 },
        ),
        async (ids) => {
          calls.length = 0;
          const messages: TaskMessage[] = ids.map((taskId) => ({ taskId, runId: 'run-1' }));
          await queue().send(messages);
          expect(calls).toHaveLength(Math.ceil(ids.length / 10));
          expect(calls.every((c) => c.entries.length <= 10 && c.signatureOk)).toBe(true);
          expect(delivered()).toEqual(ids);
        },
      ),
      { numRuns: 15 },
    );
    await queue().send([{ taskId: 'default#role/a@example.com', runId: 'r' }]);
    expect(calls.at(-1)?.headers).toMatchObject({
      'x-amz-target': 'AmazonSQS.SendMessageBatch',
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-security-token': 'session-token',
    });
  });

  it('retries only the entries SQS failed on its side, and a 500', async () => {
    script = [
      () => ({ status: 500, body: { __type: 'com.amazonaws.sqs#InternalError', message: 'boom' } }),
      (entries) => ({
        status: 200,
        body: {
          Successful: entries.filter((e) => e.Id !== '3').map(accepted),
          Failed: [{ Id: '3', SenderFault: false, Code: 'InternalError', Message: 'try again' }],
        },
      }),
    ];
    const messages = Array.from({ length: 6 }, (_, i) => ({ taskId: `t${i}`, runId: 'r' }));
    await queue().send(messages);
    expect(calls.map((c) => c.entries.map((e) => e.Id))).toEqual([
      ['0', '1', '2', '3', '4', '5'],
      ['0', '1', '2', '3', '4', '5'],
      ['3'],
    ]);
    expect(calls.every((c) => c.signatureOk)).toBe(true);
  });

  it("fails at once on the sender's fault and on a missing queue", async () => {
    script = [
      (entries) => ({
        status: 200,
        body: {
          Failed: [
            {
              Id: entries[0]?.Id,
              SenderFault: true,
              Code: 'InvalidMessageContents',
              Message: 'bad',
            },
          ],
        },
      }),
    ];
    await expect(queue().send([{ taskId: 'a', runId: 'r' }])).rejects.toThrow(
      /InvalidMessageContents/,
    );
    script = [
      () => ({
        status: 400,
        body: {
          __type: 'com.amazonaws.sqs#QueueDoesNotExist',
          message: 'The specified queue does not exist.',
        },
      }),
    ];
    const error = await queue()
      .send([{ taskId: 'b', runId: 'r' }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error).toBeInstanceOf(RemoteServiceError);
    expect((error as AwsCallError).message).toMatch(
      /QueueDoesNotExist: The specified queue does not exist/,
    );
    expect((error as AwsCallError).retryable).toBe(false);
    expect(calls).toHaveLength(2);
  });

  it('a throttled call is retried', async () => {
    script = [
      () => ({
        status: 400,
        body: { __type: 'com.amazonaws.sqs#RequestThrottled', message: 'slow down' },
      }),
    ];
    await queue().send([{ taskId: 'c', runId: 'r' }]);
    expect(calls).toHaveLength(2);
    expect(delivered()).toEqual(['c', 'c']);
  });
});
