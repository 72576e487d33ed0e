import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RunningServer,
  sendJson,
  startServer,
} from '../../../services/sandbox/http/server.js';
import {
  createGoogleDirectory,
  DIRECTORY_MEMBER_READONLY_SCOPE,
} from '../../../services/snapshot/google/google-directory.js';
import { RemoteServiceError } from '../../../shared/errors.js';
import {
  ADMIN,
  type GoogleFixture,
  seedGroup,
  startGoogleFixture,
} from '../../services/sandbox/google/fixture.js';

/**
 * What google-auth-library's JWT client really sends once `honourTokenUri` routes it to the key
 * file's token_uri, and that gaxios does not retry the token request underneath idsync's retry.
 */
describe('token_uri routing of the JWT client', () => {
  let fx: GoogleFixture;
  let tokenServer: RunningServer;
  const received: { contentType: string; form: URLSearchParams }[] = [];

  beforeAll(async () => {
    fx = await startGoogleFixture();
    seedGroup(fx.state, 'team@example.com', 2);
    tokenServer = await startServer((req, res, body) => {
      received.push({
        contentType: req.headers['content-type'] ?? '',
        form: new URLSearchParams(body.toString('utf8')),
      });
      sendJson(res, 503, { error: 'temporarily_unavailable', error_description: 'try later' });
    });
  });
  afterAll(async () => {
    await tokenServer.close();
    await fx.close();
  });

  async function keyFileWithTokenUri(tokenUri: string): Promise<string> {
    const key = JSON.parse(await readFile(fx.standIn.credentialsPath, 'utf8')) as Record<
      string,
      string
    >;
    const path = join(fx.keyDir, 'other-token-uri.json');
    await writeFile(path, JSON.stringify({ ...key, token_uri: tokenUri }), { mode: 0o600 });
    return path;
  }

  it('posts a signed JWT-bearer grant to token_uri, and is retried at one layer only', async () => {
    const credentialsPath = await keyFileWithTokenUri(`${tokenServer.endpoint}/token`);
    const directory = createGoogleDirectory({
      credentialsPath,
      subject: ADMIN,
      rootUrl: fx.standIn.rootUrl,
      retry: { baseMs: 1, capMs: 5, maxAttempts: 3 },
    });
    let error: unknown;
    try {
      for await (const _ of directory.listMembers('team@example.com')) {
        throw new Error('no page expected');
      }
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RemoteServiceError);
    expect((error as RemoteServiceError).retryable).toBe(true);
    expect((error as Error).message).toMatch(
      /team@example\.com, page 1: token endpoint answered 503 temporarily_unavailable/,
    );
    // Three attempts of idsync's policy, no gaxios retries underneath (gtoken asks for 3 more each).
    expect(received).toHaveLength(3);
    const first = received[0];
    expect(first?.contentType).toBe('application/x-www-form-urlencoded;charset=UTF-8');
    expect(first?.form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    const [header, payload] = (first?.form.get('assertion') ?? '').split('.');
    expect(JSON.parse(Buffer.from(header ?? '', 'base64url').toString())).toMatchObject({
      alg: 'RS256',
    });
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >;
    // gtoken always puts Google's token URL in `aud`, whatever token_uri says.
    expect(claims).toMatchObject({
      aud: 'https://oauth2.googleapis.com/token',
      sub: ADMIN,
      scope: DIRECTORY_MEMBER_READONLY_SCOPE,
    });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(3600);
    expect(fx.standIn.faults.counters.calls).toBe(0);
  });
});
