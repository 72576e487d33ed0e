import { randomUUID } from 'node:crypto';
import type { Reply } from '../http/reply.js';

/**
 * The CloudTrail awsJson1_1 wire shapes the stand-in speaks: answers with content-type
 * `application/x-amz-json-1.1`, timestamps as epoch seconds, errors as
 * `{"__type": "com.amazonaws.cloudtrail.v20131101#<Code>", "message": …}` with the HTTP status of
 * the service model (@aws-sdk/client-cloudtrail: the `Invalid*` input errors 400,
 * ThrottlingException 429).
 */

export const AWS_JSON_1_1 = 'application/x-amz-json-1.1';

export const CloudTrailErrors = {
  InvalidLookupAttributesException: 400,
  InvalidTimeRangeException: 400,
  InvalidNextTokenException: 400,
  InvalidMaxResultsException: 400,
  InvalidEventCategoryException: 400,
  ThrottlingException: 429,
  SerializationException: 400,
  UnknownOperationException: 400,
  InternalFailure: 500,
  InvalidSignatureException: 400,
  AccessDeniedException: 400,
  ExpiredTokenException: 403,
  UnrecognizedClientException: 403,
} as const;
export type CloudTrailErrorCode = keyof typeof CloudTrailErrors;

const headersOf = (requestId: string): Record<string, string> => ({
  'content-type': AWS_JSON_1_1,
  'x-amzn-requestid': requestId,
});

export function ok(body: Record<string, unknown>): Reply {
  return { status: 200, body, headers: headersOf(randomUUID()) };
}

export function errorReply(code: CloudTrailErrorCode, message: string): Reply {
  return {
    status: CloudTrailErrors[code],
    body: { __type: `com.amazonaws.cloudtrail.v20131101#${code}`, message },
    headers: headersOf(randomUUID()),
  };
}
