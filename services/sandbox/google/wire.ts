import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { GoogleMember } from '../../../shared/domain.js';
import { sendJson } from '../http/server.js';

/**
 * The Admin Directory wire shapes the stand-in speaks: member resources and lists with their
 * `kind` and `etag`, and errors as Google's JSON APIs send them:
 * `{ error: { code, message, errors: [{ message, domain, reason }], status } }`.
 */

export interface GoogleApiErrorSpec {
  readonly code: number;
  readonly status: string;
  readonly reason: string;
  readonly domain: string;
  readonly message: string;
}

export const GoogleApiErrors = {
  missingCredentials: {
    code: 401,
    status: 'UNAUTHENTICATED',
    reason: 'required',
    domain: 'global',
    message:
      'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
  },
  invalidCredentials: {
    code: 401,
    status: 'UNAUTHENTICATED',
    reason: 'authError',
    domain: 'global',
    message:
      'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
  },
  quotaExceeded: {
    code: 403,
    status: 'PERMISSION_DENIED',
    reason: 'quotaExceeded',
    domain: 'usageLimits',
    message:
      "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of service 'admin.googleapis.com'.",
  },
  userRateLimitExceeded: {
    code: 403,
    status: 'PERMISSION_DENIED',
    reason: 'userRateLimitExceeded',
    domain: 'usageLimits',
    message: 'User Rate Limit Exceeded',
  },
  /** A token whose grant lacks the scope the call needs (members.insert/delete without `.member`). */
  insufficientScope: {
    code: 403,
    status: 'PERMISSION_DENIED',
    reason: 'insufficientPermissions',
    domain: 'global',
    message: 'Request had insufficient authentication scopes.',
  },
  memberExists: {
    code: 409,
    status: 'ALREADY_EXISTS',
    reason: 'duplicate',
    domain: 'global',
    message: 'Member already exists.',
  },
  backendError: {
    code: 503,
    status: 'UNAVAILABLE',
    reason: 'backendError',
    domain: 'global',
    message: 'The service is currently unavailable.',
  },
} as const satisfies Record<string, GoogleApiErrorSpec>;

export function sendGoogleError(
  res: ServerResponse,
  spec: GoogleApiErrorSpec,
  headers: Record<string, string> = {},
): void {
  const { code, status, reason, domain, message } = spec;
  sendJson(
    res,
    code,
    { error: { code, message, errors: [{ message, domain, reason }], status } },
    headers,
  );
}

export function notFound(what: string): GoogleApiErrorSpec {
  return {
    code: 404,
    status: 'NOT_FOUND',
    reason: 'notFound',
    domain: 'global',
    message: `Resource Not Found: ${what}`,
  };
}

export function invalidInput(what: string): GoogleApiErrorSpec {
  return {
    code: 400,
    status: 'INVALID_ARGUMENT',
    reason: 'invalid',
    domain: 'global',
    message: `Invalid Input: ${what}`,
  };
}

/** An entity tag in Google's quoted form, derived from the content it describes. */
export function etagOf(content: unknown): string {
  const digest = createHash('sha256').update(JSON.stringify(content)).digest('base64url');
  return `"${digest.slice(0, 27)}/${digest.slice(27, 43)}"`;
}

export function memberToWire(member: GoogleMember): Record<string, unknown> {
  const fields = {
    id: member.id,
    email: member.email,
    role: member.role,
    type: member.type,
    status: member.status,
  };
  return { kind: 'admin#directory#member', etag: etagOf(fields), ...fields };
}

/** A members.list answer; an empty page has no `members` field, as the real API answers. */
export function membersListToWire(
  members: readonly GoogleMember[],
  nextPageToken: string | undefined,
): Record<string, unknown> {
  const wireMembers = members.map(memberToWire);
  return {
    kind: 'admin#directory#members',
    etag: etagOf(wireMembers.map((m) => m.etag)),
    ...(wireMembers.length > 0 ? { members: wireMembers } : {}),
    ...(nextPageToken !== undefined ? { nextPageToken } : {}),
  };
}
