import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/errors.js';
import {
  GOOGLE_TOKEN_URL,
  parseServiceAccountKey,
  readServiceAccountKey,
} from '../../../shared/google/service-account-key.js';

const PEM = generateKeyPairSync('rsa', { modulusLength: 1024 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const KEY = {
  type: 'service_account',
  client_email: 'sa@p.iam.gserviceaccount.com',
  private_key: PEM,
  private_key_id: 'abc',
  token_uri: 'http://127.0.0.1:1/token',
};

describe('readServiceAccountKey', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idsync-key-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads the fields the JWT client needs, and the token_uri', async () => {
    const path = join(dir, 'key.json');
    await writeFile(path, JSON.stringify(KEY));
    expect(readServiceAccountKey(path)).toEqual({
      clientEmail: KEY.client_email,
      privateKey: PEM,
      privateKeyId: 'abc',
      tokenUri: KEY.token_uri,
    });
  });

  it("defaults token_uri to Google's", () => {
    const { token_uri: _, ...withoutUri } = KEY;
    expect(parseServiceAccountKey(withoutUri, 'k').tokenUri).toBe(GOOGLE_TOKEN_URL);
  });

  it('names the variable and the file on a missing file', () => {
    const missing = join(dir, 'missing.json');
    expect(() => readServiceAccountKey(missing)).toThrow(ConfigError);
    expect(() => readServiceAccountKey(missing)).toThrow(
      `IDSYNC_GOOGLE_CREDENTIALS: cannot read the key file ${missing} (ENOENT)`,
    );
  });

  it('refuses a folder or a device at once, without reading it', async () => {
    const folder = join(dir, 'a-folder');
    await mkdir(folder);
    expect(() => readServiceAccountKey(folder)).toThrow(/is not a regular file/);
    expect(() => readServiceAccountKey('/dev/zero')).toThrow(/is not a regular file/);
  });

  it('never quotes the content of a malformed file', async () => {
    const path = join(dir, 'broken.json');
    await writeFile(path, `${JSON.stringify(KEY).slice(0, -5)} MIIsecretsecret`);
    let message = '';
    try {
      readServiceAccountKey(path);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/not valid JSON/);
    expect(message).not.toContain('secret');
  });

  it.each([
    ['another type', { ...KEY, type: 'authorized_user' }, /type/],
    ['no client_email', { ...KEY, client_email: '' }, /client_email/],
    ['no private key', { ...KEY, private_key: 'nope' }, /private_key/],
    ['a bad token_uri', { ...KEY, token_uri: 'not a url' }, /token_uri/],
    [
      'a garbage PEM private key',
      {
        ...KEY,
        private_key: '-----BEGIN PRIVATE KEY-----\nMIIgarbage\n-----END PRIVATE KEY-----\n',
      },
      /private_key that is not a readable PEM private key/,
    ],
  ])('refuses a key with %s', (_name, json, problem) => {
    expect(() => parseServiceAccountKey(json, 'key.json')).toThrow(problem);
  });
});
