import { randomUUID } from 'node:crypto';
import type { Reply } from '../http/reply.js';
import type { TokenBucket } from '../http/token-bucket.js';
import type { SesState } from '../state/ses-state.js';
import { errorReply, ok } from './wire.js';

/**
 * The SES v2 operations of the stand-in, as data in and a reply out:
 *
 * - `GetAccount` (`GET /v2/email/account`): SendQuota (Max24HourSend, MaxSendRate,
 *   SentLast24Hours from the outbox), sending enabled, production access off (the SES sandbox);
 * - `SendEmail` (`POST /v2/email/outbound-emails`, Simple content only): checks in SES's order —
 *   a malformed request or address → BadRequestException; over the sending rate →
 *   TooManyRequestsException ("Maximum sending rate exceeded."); a From identity that is not
 *   verified, or a refused recipient → MessageRejected ("Email address is not verified. The
 *   following identities failed the check in region …"); otherwise the message goes to the
 *   outbox with a new MessageId.
 */

export interface SesContext {
  readonly state: SesState;
  readonly region: string;
  /** The account's sending rate (MaxSendRate a second). */
  readonly rate: TokenBucket;
  readonly now: () => number;
}

/** A usable address: one @, a dotted domain, no spaces or angle brackets (display names too). */
const ADDRESS = /^(?:[^<>]*<)?([^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)>?$/;

export function addressOf(raw: string): string | undefined {
  return ADDRESS.exec(raw.trim())?.[1];
}

export function getAccount(ctx: SesContext): Reply {
  return ok({
    SendQuota: {
      Max24HourSend: ctx.state.max24HourSend,
      MaxSendRate: ctx.state.maxSendRate,
      SentLast24Hours: ctx.state.sentLast24Hours(ctx.now()),
    },
    SendingEnabled: true,
    ProductionAccessEnabled: false,
    EnforcementStatus: 'HEALTHY',
    DedicatedIpAutoWarmupEnabled: false,
  });
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function sendEmail(ctx: SesContext, body: Record<string, unknown>): Reply {
  const from = str(body.FromEmailAddress);
  if (!from) return errorReply('BadRequestException', 'FromEmailAddress is required.');
  const fromAddress = addressOf(from);
  if (!fromAddress) return errorReply('BadRequestException', `Missing final '@domain'`);
  const destination = body.Destination as { ToAddresses?: unknown } | undefined;
  const to = destination?.ToAddresses;
  if (!Array.isArray(to) || to.length === 0 || !to.every((t) => typeof t === 'string'))
    return errorReply('BadRequestException', 'Destination.ToAddresses must list a recipient.');
  const recipients = (to as string[]).map((t) => ({ raw: t, address: addressOf(t) }));
  const bad = recipients.find((r) => r.address === undefined);
  if (bad) return errorReply('BadRequestException', `Illegal address: ${bad.raw}`);
  const simple = (body.Content as { Simple?: Record<string, unknown> } | undefined)?.Simple;
  const subject = str((simple?.Subject as { Data?: unknown } | undefined)?.Data);
  const bodyOf = (part: string) =>
    str(
      ((simple?.Body as Record<string, unknown> | undefined)?.[part] as { Data?: unknown })?.Data,
    );
  if (!simple || subject === undefined || (!bodyOf('Text') && !bodyOf('Html')))
    return errorReply(
      'BadRequestException',
      'Content.Simple with a Subject and a Text or Html body is required (the stand-in sends Simple content only).',
    );
  if (!ctx.rate.tryTake())
    return errorReply('TooManyRequestsException', 'Maximum sending rate exceeded.');
  const failed = [
    ...(ctx.state.isVerified(fromAddress) ? [] : [fromAddress]),
    ...recipients
      .map((r) => r.address as string)
      .filter((a) => ctx.state.refused.has(a.toLowerCase())),
  ];
  if (failed.length > 0)
    return errorReply(
      'MessageRejected',
      `Email address is not verified. The following identities failed the check in region ${ctx.region.toUpperCase()}: ${failed.join(', ')}`,
    );
  const messageId = `${randomUUID()}-sandbox`;
  const text = bodyOf('Text');
  const html = bodyOf('Html');
  ctx.state.add({
    messageId,
    from,
    to: recipients.map((r) => r.address as string),
    subject,
    ...(text !== undefined ? { text } : {}),
    ...(html !== undefined ? { html } : {}),
    sentAt: new Date(ctx.now()).toISOString(),
  });
  return ok({ MessageId: messageId });
}
