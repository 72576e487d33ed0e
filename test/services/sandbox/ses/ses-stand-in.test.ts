import {
  BadRequestException,
  GetAccountCommand,
  MessageRejected,
  SESv2Client,
  SendEmailCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SesMailer } from '../../../../services/notices/ses-mailer.js';
import { type SesStandIn, startSesStandIn } from '../../../../services/sandbox/ses/stand-in.js';
import { SesState } from '../../../../services/sandbox/state/ses-state.js';

/**
 * The SES v2 stand-in (services/sandbox/ses/) through the real @aws-sdk/client-sesv2, errors
 * included, and the notice sender's reading of them (services/notices/ses-mailer.ts).
 */

const send = (from: string, to: string) =>
  new SendEmailCommand({
    FromEmailAddress: from,
    Destination: { ToAddresses: [to] },
    Content: {
      Simple: {
        Subject: { Data: 'Hello' },
        Body: { Text: { Data: 'text' }, Html: { Data: '<p>html</p>' } },
      },
    },
  });

describe('SES v2 stand-in', () => {
  let ses: SesStandIn;
  let client: SESv2Client;

  beforeAll(async () => {
    ses = await startSesStandIn(
      new SesState({
        verifiedIdentities: ['example.com'],
        refusedRecipients: ['gone@example.org'],
        maxSendRate: 1000,
      }),
      { region: 'eu-west-1' },
    );
    client = new SESv2Client({
      region: 'eu-west-1',
      endpoint: ses.endpoint,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    client.destroy();
    await ses.close();
  });

  it('SendEmail puts an accepted message in the outbox with its MessageId and time', async () => {
    const before = Date.now();
    const out = await client.send(send('idsync@example.com', 'Reader@Example.org'));
    expect(out.MessageId).toMatch(/.+/);
    const [message] = ses.state.outbox;
    expect(message).toMatchObject({
      messageId: out.MessageId,
      to: ['Reader@Example.org'],
      subject: 'Hello',
      text: 'text',
      html: '<p>html</p>',
    });
    expect(Date.parse(message?.sentAt ?? '')).toBeGreaterThanOrEqual(before - 1000);
  });

  it('GetAccount answers the SendQuota', async () => {
    const out = await client.send(new GetAccountCommand({}));
    expect(out.SendQuota).toEqual({ Max24HourSend: 50_000, MaxSendRate: 1000, SentLast24Hours: 1 });
    expect(out.ProductionAccessEnabled).toBe(false);
  });

  it('an unverified From identity: MessageRejected naming it; the mailer stops, nothing refused', async () => {
    const error = await client.send(send('x@unverified.net', 'a@example.org')).catch((e) => e);
    expect(error).toBeInstanceOf(MessageRejected);
    expect(error.message).toContain('failed the check in region EU-WEST-1: x@unverified.net');
    const outcome = await new SesMailer(client).send({
      from: 'x@unverified.net',
      to: 'a@example.org',
      subject: 's',
      text: 't',
      html: 'h',
    });
    expect(outcome).toMatchObject({ kind: 'not-sent', stop: true });
  });

  it('a refused recipient: MessageRejected; the mailer records it as refused', async () => {
    const error = await client.send(send('idsync@example.com', 'gone@example.org')).catch((e) => e);
    expect(error).toBeInstanceOf(MessageRejected);
    const outcome = await new SesMailer(client).send({
      from: 'idsync@example.com',
      to: 'gone@example.org',
      subject: 's',
      text: 't',
      html: 'h',
    });
    expect(outcome).toMatchObject({ kind: 'refused' });
  });

  it('an invalid address: BadRequestException; refused', async () => {
    const error = await client.send(send('idsync@example.com', 'not-an-address')).catch((e) => e);
    expect(error).toBeInstanceOf(BadRequestException);
    expect(
      await new SesMailer(client).send({
        from: 'idsync@example.com',
        to: 'no at sign',
        subject: 's',
        text: 't',
        html: 'h',
      }),
    ).toMatchObject({ kind: 'refused' });
  });

  it('over MaxSendRate: TooManyRequestsException, and nothing more in the outbox', async () => {
    const slow = await startSesStandIn(
      new SesState({ verifiedIdentities: ['example.com'], maxSendRate: 2 }),
    );
    const slowClient = new SESv2Client({
      region: 'us-east-1',
      endpoint: slow.endpoint,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      maxAttempts: 1,
    });
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => slowClient.send(send('idsync@example.com', 'b@example.org'))),
    );
    slowClient.destroy();
    await slow.close();
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected.length).toBeGreaterThan(0);
    for (const r of rejected)
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(TooManyRequestsException);
    expect(slow.state.outbox.length).toBe(8 - rejected.length);
    expect(slow.state.outbox.length).toBeLessThanOrEqual(3);
  });

  it('an injected server error is thrown by the mailer (SES may have sent it)', async () => {
    ses.faults.configure({ errorRate: 1 });
    await expect(
      new SesMailer(client).send({
        from: 'idsync@example.com',
        to: 'c@example.org',
        subject: 's',
        text: 't',
        html: 'h',
      }),
    ).rejects.toMatchObject({ name: 'InternalServiceErrorException' });
    ses.faults.configure({});
  });
});
