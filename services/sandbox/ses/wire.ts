import { randomUUID } from 'node:crypto';
import type { Reply } from '../http/reply.js';

/**
 * The SES v2 restJson1 wire shapes the stand-in speaks: JSON answers with `x-amzn-requestid`,
 * and errors as `x-amzn-errortype` plus a JSON body with `message` (SES v2's member name), so
 * the real `@aws-sdk/client-sesv2` throws its own error classes (MessageRejected, …).
 */

/** The error codes the stand-in answers with, and their HTTP status as the service model has it. */
export const SesErrors = {
  BadRequestException: 400,
  MessageRejected: 400,
  MailFromDomainNotVerifiedException: 400,
  SendingPausedException: 400,
  NotFoundException: 404,
  TooManyRequestsException: 429,
  InternalServiceErrorException: 500,
} as const;
export type SesErrorCode = keyof typeof SesErrors;

export function ok(body: Record<string, unknown>): Reply {
  return { status: 200, body, headers: { 'x-amzn-requestid': randomUUID() } };
}

export function errorReply(code: SesErrorCode, message: string): Reply {
  return {
    status: SesErrors[code],
    body: { message },
    headers: { 'x-amzn-requestid': randomUUID(), 'x-amzn-errortype': code },
  };
}
