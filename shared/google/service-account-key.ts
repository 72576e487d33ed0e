import { createPrivateKey } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { ConfigError } from '../errors.js';

/**
 * Reads a Google service-account JSON key file. Error messages name the file and the missing
 * field, never the content (a JSON syntax error message would quote the private key).
 */

export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
const CREDENTIALS_VARIABLE = 'IDSYNC_GOOGLE_CREDENTIALS';

export interface ServiceAccountKey {
  readonly clientEmail: string;
  readonly privateKey: string;
  readonly privateKeyId?: string;
  /** Where the JWT-bearer grant is sent; Google's token URL when the file has none. */
  readonly tokenUri: string;
}

export function readServiceAccountKey(path: string): ServiceAccountKey {
  let text: string;
  try {
    // A folder, a FIFO or a device is refused before it is read (reading /dev/zero never ends).
    if (!statSync(path).isFile())
      throw new ConfigError(CREDENTIALS_VARIABLE, `the key file ${path} is not a regular file`);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(CREDENTIALS_VARIABLE, `cannot read the key file ${path} (${code})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(CREDENTIALS_VARIABLE, `the key file ${path} is not valid JSON`);
  }
  return parseServiceAccountKey(json, path);
}

export function parseServiceAccountKey(json: unknown, source: string): ServiceAccountKey {
  const bad = (problem: string) =>
    new ConfigError(CREDENTIALS_VARIABLE, `the key file ${source} ${problem}`);
  if (typeof json !== 'object' || json === null) throw bad('is not a JSON object');
  const key = json as Record<string, unknown>;
  if (key.type !== 'service_account') throw bad('is not a service-account key (type)');
  const clientEmail = key.client_email;
  const privateKey = key.private_key;
  if (typeof clientEmail !== 'string' || clientEmail === '') throw bad('has no client_email');
  if (typeof privateKey !== 'string' || !privateKey.includes('PRIVATE KEY'))
    throw bad('has no PEM private_key');
  try {
    createPrivateKey(privateKey);
  } catch {
    // Checked now: a key that cannot sign fails every token request the same way (no retry helps).
    throw bad('has a private_key that is not a readable PEM private key');
  }
  const tokenUri = key.token_uri ?? GOOGLE_TOKEN_URL;
  if (typeof tokenUri !== 'string' || !URL.canParse(tokenUri))
    throw bad('has an invalid token_uri');
  return {
    clientEmail,
    privateKey,
    ...(typeof key.private_key_id === 'string' ? { privateKeyId: key.private_key_id } : {}),
    tokenUri,
  };
}
