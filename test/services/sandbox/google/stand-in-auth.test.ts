import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  evaluateAssertion,
  GOOGLE_TOKEN_AUDIENCE,
  isRefusal,
  JWT_BEARER_GRANT_TYPE,
} from '../../../../services/sandbox/google/jwt-bearer-grant.js';
import {
  ADMIN,
  type GoogleFixture,
  jwtClient,
  MEMBER_READONLY_SCOPE,
  seedGroup,
  startGoogleFixture,
} from './fixture.js';

interface KeyFile {
  type: string;
  client_email: string;
  private_key: string;
  private_key_id: string;
  token_uri: string;
  auth_uri: string;
  client_id: string;
  project_id: string;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function signAssertion(claims: Record<string, unknown>, privateKeyPem: string): string {
  const data = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${data}.${sign('sha256', Buffer.from(data), privateKeyPem).toString('base64url')}`;
}

describe('Google stand-in: service account and token endpoint', () => {
  let fx: GoogleFixture;
  let key: KeyFile;
  const now = () => Math.floor(Date.now() / 1000);
  const claims = (over: Record<string, unknown> = {}) => ({
    iss: key.client_email,
    aud: GOOGLE_TOKEN_AUDIENCE,
    scope: MEMBER_READONLY_SCOPE,
    sub: ADMIN,
    iat: now(),
    exp: now() + 3600,
    ...over,
  });
  const postToken = (form: Record<string, string>) =>
    fetch(fx.standIn.tokenUri, { method: 'POST', body: new URLSearchParams(form) });
  const postAssertion = (assertion: string) =>
    postToken({ grant_type: JWT_BEARER_GRANT_TYPE, assertion });

  beforeAll(async () => {
    fx = await startGoogleFixture();
    seedGroup(fx.state, 'team@example.com', 3);
    key = JSON.parse(await readFile(fx.standIn.credentialsPath, 'utf8')) as KeyFile;
  });
  afterAll(() => fx.close());

  it('writes a real-format service-account key, readable by its owner only', async () => {
    expect((await stat(fx.standIn.credentialsPath)).mode & 0o777).toBe(0o600);
    expect(key.type).toBe('service_account');
    expect(key.token_uri).toBe(fx.standIn.tokenUri);
    expect(key.private_key).toMatch(
      /^-----BEGIN PRIVATE KEY-----\n[\s\S]+-----END PRIVATE KEY-----\n$/,
    );
    expect(key.private_key_id).toMatch(/^[0-9a-f]{40}$/);
    expect(key.client_email).toMatch(/@.+\.iam\.gserviceaccount\.com$/);
    expect(key.client_id).toMatch(/^\d{21}$/);
    expect(key.project_id).toBeTruthy();
    expect(key.auth_uri.startsWith(fx.standIn.endpoint)).toBe(true);
  });

  it('listens on 127.0.0.1 only', async () => {
    const { hostname, port } = new URL(fx.standIn.endpoint);
    expect(hostname).toBe('127.0.0.1');
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal);
    if (external) {
      await expect(fetch(`http://${external.address}:${port}/token`)).rejects.toThrow();
    }
    expect(new URL(fx.standIn.tokenUri).hostname).toBe('127.0.0.1');
    expect(fx.standIn.rootUrl).toBe(`${fx.standIn.endpoint}/`);
  });

  it("hands google-auth-library's JWT client a token that opens members.list", async () => {
    const before = fx.standIn.issuedTokens();
    const jwt = jwtClient(fx.standIn);
    const { token } = await jwt.getAccessToken();
    expect(token).toMatch(/^ya29\./);
    expect(fx.standIn.issuedTokens()).toBe(before + 1);
    const res = await fetch(
      `${fx.standIn.rootUrl}admin/directory/v1/groups/team%40example.com/members`,
      {
        headers: { authorization: `Bearer ${token}` },
      },
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { members: unknown[] };
    expect(body.members).toHaveLength(3);
  });

  it('answers 401 in Google error shape without a token or with an unknown one', async () => {
    const url = `${fx.standIn.rootUrl}admin/directory/v1/groups/team%40example.com/members`;
    const missing = await fetch(url);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toContain('Bearer');
    const body = (await missing.json()) as {
      error: { code: number; status: string; errors: { reason: string; domain: string }[] };
    };
    expect(body.error.code).toBe(401);
    expect(body.error.status).toBe('UNAUTHENTICATED');
    expect(body.error.errors[0]).toMatchObject({ domain: 'global', reason: 'required' });
    const unknown = await fetch(url, { headers: { authorization: 'Bearer ya29.forged' } });
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as typeof body).error.errors[0]?.reason).toBe('authError');
  });

  it('refuses a subject that may not be impersonated (invalid_grant) through the JWT client', async () => {
    const jwt = jwtClient(fx.standIn, 'mallory@example.com');
    await expect(jwt.getAccessToken()).rejects.toThrow(/invalid_grant/);
  });

  it('refuses a scope outside the directory member scopes (401 unauthorized_client)', async () => {
    const res = await postAssertion(
      signAssertion(
        claims({ scope: 'https://www.googleapis.com/auth/admin.directory.user' }),
        key.private_key,
      ),
    );
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('unauthorized_client');
  });

  it.each([
    ['another audience', { aud: 'https://example.com/token' }, /audience/],
    ['another issuer', { iss: 'someone@else.iam.gserviceaccount.com' }, /account not found/],
    ['an expired assertion', { iat: 1_000_000, exp: 1_003_600 }, /iat and exp/],
    ['a lifetime over an hour', { exp: Math.floor(Date.now() / 1000) + 7200 }, /iat and exp/],
    ['no subject', { sub: undefined }, /sub/],
  ])('refuses %s with 400 invalid_grant', async (_name, over, description) => {
    const res = await postAssertion(signAssertion(claims(over), key.private_key));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; error_description: string };
    expect(body.error).toBe('invalid_grant');
    expect(body.error_description).toMatch(description);
  });

  it('accepts the stand-in token URI as audience too', async () => {
    const res = await postAssertion(
      signAssertion(claims({ aud: fx.standIn.tokenUri }), key.private_key),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
  });

  it('refuses an assertion signed by another key, and other grant types', async () => {
    // A small key is enough to sign with: the signature only has to be someone else's.
    const other = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = other.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const forged = await postAssertion(signAssertion(claims(), pem));
    expect(forged.status).toBe(400);
    expect(await forged.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'Invalid JWT Signature.',
    });
    const wrongGrant = await postToken({ grant_type: 'client_credentials' });
    expect(wrongGrant.status).toBe(400);
    expect(((await wrongGrant.json()) as { error: string }).error).toBe('unsupported_grant_type');
  });

  it('is not subject to faults: tokens are issued while every listing call fails', async () => {
    fx.standIn.faults.configure({ errorRate: 1, resetRate: 0 });
    try {
      const res = await postAssertion(signAssertion(claims(), key.private_key));
      expect(res.status).toBe(200);
    } finally {
      fx.standIn.faults.configure({});
    }
  });

  it('rejects any tampering with a signed assertion (property)', () => {
    const assertion = signAssertion(claims(), key.private_key);
    const expected = {
      publicKey: createPublicKey(key.private_key),
      clientEmail: key.client_email,
      audiences: [GOOGLE_TOKEN_AUDIENCE],
    };
    expect(isRefusal(evaluateAssertion(assertion, expected, now()))).toBe(false);
    fc.assert(
      fc.property(
        fc.nat({ max: assertion.length - 1 }),
        fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'),
        (index, replacement) => {
          fc.pre(assertion[index] !== replacement && assertion[index] !== '.');
          const tampered = assertion.slice(0, index) + replacement + assertion.slice(index + 1);
          // The last base64url character of the signature carries padding bits: a change there
          // may decode to the same signature bytes, which is not tampering.
          fc.pre(!sameSignedContent(tampered, assertion));
          return isRefusal(evaluateAssertion(tampered, expected, now()));
        },
      ),
      { numRuns: 200 },
    );
  });
});

/** Same signed text and same signature bytes. */
function sameSignedContent(a: string, b: string): boolean {
  const split = (jwt: string) => {
    const cut = jwt.lastIndexOf('.');
    return [jwt.slice(0, cut), Buffer.from(jwt.slice(cut + 1), 'base64url')] as const;
  };
  const [signedA, sigA] = split(a);
  const [signedB, sigB] = split(b);
  return signedA === signedB && sigA.equals(sigB);
}
