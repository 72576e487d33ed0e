import type { IncomingMessage } from 'node:http';

/**
 * Who signed a request: the access key id of its SigV4 Authorization header
 * (`AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, …`) and the
 * session token sent with temporary credentials (`X-Amz-Security-Token`). A stand-in given a
 * `CallerCheck` (StandInOptions.callerCheck) asks it before each call, and answers its refusal
 * in the service's own error shape.
 */

export function accessKeyOf(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return /Credential=([^/,\s]+)\//.exec(typeof header === 'string' ? header : '')?.[1];
}

export function sessionTokenOf(req: IncomingMessage): string | undefined {
  const token = req.headers['x-amz-security-token'];
  return typeof token === 'string' ? token : undefined;
}

/** Why a caller may not make a call, with the code every AWS service uses for it. */
export interface CallerRefusal {
  readonly code: 'AccessDeniedException' | 'ExpiredTokenException' | 'UnrecognizedClientException';
  readonly message: string;
}

/** `operation` is the service's action (`quicksight:ListUsers`). */
export type CallerCheck = (req: IncomingMessage, operation: string) => CallerRefusal | undefined;
