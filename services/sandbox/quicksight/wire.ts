import { randomUUID } from 'node:crypto';
import type { QuickSightUser } from '../../../shared/domain.js';
import type { Reply } from '../http/reply.js';

/**
 * The QuickSight restJson1 wire shapes the stand-in speaks: the `User` structure, successful
 * answers (RequestId and Status in the body, Status also as the HTTP code, as the real API does)
 * and errors (`x-amzn-errortype` header + JSON body with `Message`, so the SDK throws the real
 * error classes).
 */

/** The `User` structure of ListUsers / DescribeUser / RegisterUser. */
export function userToWire(user: QuickSightUser): Record<string, unknown> {
  return {
    Arn: user.arn,
    UserName: user.userName,
    ...(user.email !== undefined ? { Email: user.email } : {}),
    Role: user.role,
    IdentityType: user.identityType,
    Active: user.active ?? true,
    ...(user.principalId !== undefined ? { PrincipalId: user.principalId } : {}),
  };
}

export function ok(body: Record<string, unknown> = {}, status = 200): Reply {
  const requestId = randomUUID();
  return {
    status,
    body: { ...body, RequestId: requestId, Status: status },
    headers: requestHeaders(requestId),
  };
}

/** The error codes the stand-in answers with, and their HTTP status as the service model has it. */
export const QuickSightErrors = {
  AccessDeniedException: 401,
  InvalidParameterValueException: 400,
  InvalidNextTokenException: 400,
  ResourceNotFoundException: 404,
  ResourceExistsException: 409,
  ThrottlingException: 429,
  InternalFailureException: 500,
  ResourceUnavailableException: 503,
  UnknownOperationException: 404,
  ExpiredTokenException: 403,
  UnrecognizedClientException: 403,
} as const;
export type QuickSightErrorCode = keyof typeof QuickSightErrors;

export interface ErrorExtras {
  /** `ResourceType` member of ResourceNotFoundException / ResourceExistsException. */
  readonly resourceType?: string;
  /** Seconds for a `Retry-After` header (whole seconds, rounded up). */
  readonly retryAfterSeconds?: number;
}

export function errorReply(
  code: QuickSightErrorCode,
  message: string,
  extras: ErrorExtras = {},
): Reply {
  const requestId = randomUUID();
  const status = QuickSightErrors[code];
  const headers: Record<string, string> = {
    ...requestHeaders(requestId),
    'x-amzn-errortype': code,
  };
  if (extras.retryAfterSeconds !== undefined)
    headers['retry-after'] = String(Math.max(1, Math.ceil(extras.retryAfterSeconds)));
  return {
    status,
    body: {
      Message: message,
      ...(extras.resourceType !== undefined ? { ResourceType: extras.resourceType } : {}),
      RequestId: requestId,
      Status: status,
    },
    headers,
  };
}

function requestHeaders(requestId: string): Record<string, string> {
  return { 'x-amzn-requestid': requestId };
}
