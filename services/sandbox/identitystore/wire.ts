import { randomUUID } from 'node:crypto';
import type { IdcUser } from '../../../shared/domain.js';
import type { Reply } from '../http/reply.js';

/**
 * The IdentityStore awsJson1_1 wire shapes the stand-in speaks: the `User` structure, answers
 * with content-type `application/x-amz-json-1.1`, and errors as `{"__type": …, "message": …}`
 * (the `__type` is what the SDK turns into its error classes), with the HTTP status codes of the
 * service model.
 */

export const AWS_JSON_1_1 = 'application/x-amz-json-1.1';

/** The `User` structure of ListUsers / DescribeUser. */
export function userToWire(user: IdcUser, identityStoreId: string): Record<string, unknown> {
  return {
    IdentityStoreId: identityStoreId,
    UserId: user.userId,
    UserName: user.userName,
    ...(user.displayName !== undefined
      ? { DisplayName: user.displayName, Name: nameOf(user.displayName) }
      : {}),
    ...(user.emails.length > 0
      ? {
          Emails: user.emails.map((e) => ({
            Value: e.value,
            ...(e.type !== undefined ? { Type: e.type } : {}),
            ...(e.primary !== undefined ? { Primary: e.primary } : {}),
          })),
        }
      : {}),
    ...(user.externalIds.length > 0
      ? { ExternalIds: user.externalIds.map((x) => ({ Issuer: x.issuer, Id: x.id })) }
      : {}),
  };
}

/** The `Name` structure, derived from the display name (the state keeps only that). */
function nameOf(displayName: string): Record<string, string> {
  const [given = '', ...family] = displayName.trim().split(/\s+/);
  return {
    Formatted: displayName,
    GivenName: given,
    ...(family.length > 0 ? { FamilyName: family.join(' ') } : {}),
  };
}

export function ok(body: Record<string, unknown> = {}): Reply {
  return { status: 200, body, headers: headersOf(randomUUID()) };
}

/** Error codes the stand-in answers with, and their HTTP status as the service model has it. */
export const IdentityStoreErrors = {
  AccessDeniedException: 403,
  ConflictException: 409,
  InternalServerException: 500,
  ResourceNotFoundException: 404,
  ThrottlingException: 429,
  ValidationException: 400,
  SerializationException: 400,
  UnknownOperationException: 400,
  ExpiredTokenException: 403,
  UnrecognizedClientException: 403,
} as const;
export type IdentityStoreErrorCode = keyof typeof IdentityStoreErrors;

export interface ErrorMembers {
  readonly ResourceType?: 'USER' | 'GROUP' | 'IDENTITY_STORE' | 'GROUP_MEMBERSHIP';
  readonly ResourceId?: string;
  readonly Reason?: string;
  /** Also sent as the `Retry-After` header (whole seconds, rounded up). */
  readonly RetryAfterSeconds?: number;
}

export function errorReply(
  code: IdentityStoreErrorCode,
  message: string,
  members: ErrorMembers = {},
): Reply {
  const requestId = randomUUID();
  const headers = headersOf(requestId);
  const body: Record<string, unknown> = {
    __type: `com.amazonaws.identitystore#${code}`,
    message,
    ...members,
    RequestId: requestId,
  };
  if (members.RetryAfterSeconds !== undefined) {
    const seconds = Math.max(1, Math.ceil(members.RetryAfterSeconds));
    body.RetryAfterSeconds = seconds;
    headers['retry-after'] = String(seconds);
  }
  return { status: IdentityStoreErrors[code], body, headers };
}

function headersOf(requestId: string): Record<string, string> {
  return { 'content-type': AWS_JSON_1_1, 'x-amzn-requestid': requestId };
}
