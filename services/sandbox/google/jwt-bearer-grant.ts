import { type KeyObject, randomBytes, verify } from 'node:crypto';

/**
 * The OAuth2 JWT-bearer grant (RFC 7523) as Google's token endpoint runs it for a service account
 * with domain-wide delegation: verify the RS256 signature of the assertion with the account's
 * public key, then its claims (`iss`, `aud`, `iat`/`exp`, `sub`, `scope`), and hand out a bearer
 * token. Pure apart from the randomness of the token; the clock is a parameter.
 */

export const JWT_BEARER_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** The audience google-auth-library (gtoken) puts in every assertion, whatever `token_uri` says. */
export const GOOGLE_TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token';

/** Scopes that allow listing group members; a token is only issued for these. */
export const DIRECTORY_MEMBER_SCOPES: readonly string[] = [
  'https://www.googleapis.com/auth/admin.directory.group.member.readonly',
  'https://www.googleapis.com/auth/admin.directory.group.member',
  'https://www.googleapis.com/auth/admin.directory.group.readonly',
  'https://www.googleapis.com/auth/admin.directory.group',
  // users.get (a person's manager, for IDSYNC_ASSET_SUCCESSOR=manager:…).
  'https://www.googleapis.com/auth/admin.directory.user.readonly',
];

export const TOKEN_LIFETIME_SECONDS = 3600;
/** Clock skew tolerated on `iat` / `exp`. */
const SKEW_SECONDS = 300;

export interface GrantExpectations {
  readonly publicKey: KeyObject;
  readonly clientEmail: string;
  /** Accepted `aud` values: the stand-in's token URI and Google's. */
  readonly audiences: readonly string[];
  /** Admins that may be impersonated; unset: any. */
  readonly allowedSubjects?: readonly string[];
  /**
   * The scopes the Workspace admin granted the client id by domain-wide delegation (a request for
   * any other is refused `unauthorized_client`, as Google does); unset: every Directory member
   * scope.
   */
  readonly delegatedScopes?: readonly string[];
}

export interface Grant {
  readonly subject: string;
  readonly scopes: readonly string[];
}

/** A refusal in the token endpoint's wire shape: `{ error, error_description }`. */
export interface GrantRefusal {
  readonly status: 400 | 401;
  readonly error:
    | 'invalid_request'
    | 'unsupported_grant_type'
    | 'invalid_grant'
    | 'unauthorized_client';
  readonly description: string;
}

const invalidGrant = (description: string): GrantRefusal => ({
  status: 400,
  error: 'invalid_grant',
  description,
});

/** Checks a token request's form parameters; a Grant or the refusal Google would answer with. */
export function evaluateTokenRequest(
  form: URLSearchParams,
  expected: GrantExpectations,
  nowSeconds: number,
): Grant | GrantRefusal {
  const grantType = form.get('grant_type');
  if (grantType !== JWT_BEARER_GRANT_TYPE)
    return {
      status: 400,
      error: 'unsupported_grant_type',
      description: `Invalid grant_type: ${grantType ?? ''}`,
    };
  const assertion = form.get('assertion');
  if (!assertion)
    return {
      status: 400,
      error: 'invalid_request',
      description: 'Missing required parameter: assertion',
    };
  return evaluateAssertion(assertion, expected, nowSeconds);
}

export function evaluateAssertion(
  assertion: string,
  expected: GrantExpectations,
  nowSeconds: number,
): Grant | GrantRefusal {
  const parts = assertion.split('.');
  const [headerPart, payloadPart, signaturePart] = parts;
  if (parts.length !== 3 || !headerPart || !payloadPart || !signaturePart)
    return invalidGrant('Invalid JWT: not a signed JWT (header.payload.signature)');
  const header = decodeJsonPart(headerPart);
  const claims = decodeJsonPart(payloadPart);
  if (!header || !claims) return invalidGrant('Invalid JWT: undecodable header or claim set');
  if (header.alg !== 'RS256') return invalidGrant('Invalid JWT: unsupported algorithm');
  const signed = Buffer.from(`${headerPart}.${payloadPart}`, 'ascii');
  const signature = Buffer.from(signaturePart, 'base64url');
  if (!verify('sha256', signed, expected.publicKey, signature))
    return invalidGrant('Invalid JWT Signature.');
  if (claims.iss !== expected.clientEmail) return invalidGrant('Invalid grant: account not found');
  if (typeof claims.aud !== 'string' || !expected.audiences.includes(claims.aud))
    return invalidGrant(
      `Invalid JWT: Failed audience check. The right audience is ${expected.audiences[0] ?? ''}`,
    );
  if (!isTimelyWindow(claims.iat, claims.exp, nowSeconds))
    return invalidGrant(
      'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
    );
  const subject = claims.sub;
  if (typeof subject !== 'string' || subject === '')
    return invalidGrant(
      'Invalid JWT: no `sub`; listing group members needs an impersonated admin (domain-wide delegation)',
    );
  if (
    expected.allowedSubjects &&
    !expected.allowedSubjects.some((s) => s.toLowerCase() === subject.toLowerCase())
  )
    return invalidGrant('Invalid email or User ID');
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(/\s+/).filter(Boolean) : [];
  const granted = expected.delegatedScopes ?? DIRECTORY_MEMBER_SCOPES;
  if (
    scopes.length === 0 ||
    !scopes.every((s) => DIRECTORY_MEMBER_SCOPES.includes(s) && granted.includes(s))
  )
    return {
      status: 401,
      error: 'unauthorized_client',
      description:
        'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.',
    };
  return { subject, scopes };
}

export function isRefusal(outcome: Grant | GrantRefusal): outcome is GrantRefusal {
  return 'error' in outcome;
}

function isTimelyWindow(iat: unknown, exp: unknown, now: number): boolean {
  if (typeof iat !== 'number' || typeof exp !== 'number') return false;
  return (
    exp > iat &&
    exp - iat <= TOKEN_LIFETIME_SECONDS &&
    iat <= now + SKEW_SECONDS &&
    exp >= now - SKEW_SECONDS
  );
}

function decodeJsonPart(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The bearer tokens handed out, with what they grant and until when. */
export class AccessTokens {
  private readonly tokens = new Map<string, Grant & { readonly expiresAtMs: number }>();
  private issued = 0;

  issue(grant: Grant, nowMs: number): { token: string; expiresIn: number } {
    const token = `ya29.${randomBytes(48).toString('base64url')}`;
    this.tokens.set(token, { ...grant, expiresAtMs: nowMs + TOKEN_LIFETIME_SECONDS * 1000 });
    this.issued++;
    return { token, expiresIn: TOKEN_LIFETIME_SECONDS };
  }

  /** The grant behind a token, if it was issued here and has not expired. */
  lookup(token: string, nowMs: number): Grant | undefined {
    const grant = this.tokens.get(token);
    if (!grant) return undefined;
    if (grant.expiresAtMs <= nowMs) {
      this.tokens.delete(token);
      return undefined;
    }
    return grant;
  }

  get count(): number {
    return this.issued;
  }
}
