import { GetAccountCommand, type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';

/**
 * The notice sender's port, and its SES v2 adapter. SES SendEmail has no idempotency key, so what
 * an answer means decides whether a notice may be sent again:
 *
 * - `sent`: SES accepted the message (its MessageId);
 * - `refused`: SES refused this recipient (`MessageRejected` naming the recipient, e.g. an
 *   address not verified while the account is in the SES sandbox; `BadRequestException` for an
 *   unusable address): recorded, never retried automatically;
 * - `not-sent`: SES answered and sent nothing (throttled, daily quota, sending paused, the From
 *   identity not verified): safe to send again later; `stop` when no later send can succeed now;
 * - anything else (no answer, a timeout, a 5xx) is thrown: SES may have sent it.
 */

export interface NoticeMessage {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export type SendOutcome =
  | { readonly kind: 'sent'; readonly messageId: string }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'not-sent'; readonly reason: string; readonly stop: boolean };

export interface NoticeMailer {
  /** SES's sending rate (GetAccount SendQuota.MaxSendRate), messages a second. */
  maxSendRate(): Promise<number>;
  send(message: NoticeMessage): Promise<SendOutcome>;
}

/** SES's default sending rate of a new account, when GetAccount names none. */
export const DEFAULT_SES_SEND_RATE = 14;

/** Errors by which SES says it sent nothing and no send can succeed until someone acts. */
const STOPS = new Set([
  'LimitExceededException',
  'SendingPausedException',
  'AccountSuspendedException',
  'MailFromDomainNotVerifiedException',
  'NotFoundException',
]);

export function outcomeOfError(error: unknown, message: NoticeMessage): SendOutcome | undefined {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = e.name ?? '';
  const text = `${name}: ${e.message ?? ''}`;
  if (name === 'TooManyRequestsException') return { kind: 'not-sent', reason: text, stop: false };
  if (STOPS.has(name)) return { kind: 'not-sent', reason: text, stop: true };
  if (name === 'MessageRejected') {
    // The From identity not verified is the sender's problem, not the recipient's.
    const fromRejected = (e.message ?? '').toLowerCase().includes(message.from.toLowerCase());
    return fromRejected
      ? { kind: 'not-sent', reason: text, stop: true }
      : { kind: 'refused', reason: text };
  }
  if (name === 'BadRequestException') return { kind: 'refused', reason: text };
  return undefined;
}

export class SesMailer implements NoticeMailer {
  constructor(private readonly client: SESv2Client) {}

  async maxSendRate(): Promise<number> {
    const out = await this.client.send(new GetAccountCommand({}));
    const rate = out.SendQuota?.MaxSendRate;
    return rate !== undefined && rate > 0 ? rate : DEFAULT_SES_SEND_RATE;
  }

  async send(message: NoticeMessage): Promise<SendOutcome> {
    try {
      const out = await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: message.from,
          Destination: { ToAddresses: [message.to] },
          Content: {
            Simple: {
              Subject: { Data: message.subject, Charset: 'UTF-8' },
              Body: {
                Text: { Data: message.text, Charset: 'UTF-8' },
                Html: { Data: message.html, Charset: 'UTF-8' },
              },
            },
          },
        }),
      );
      return { kind: 'sent', messageId: out.MessageId ?? '' };
    } catch (error) {
      const outcome = outcomeOfError(error, message);
      if (outcome) return outcome;
      throw error;
    }
  }
}
