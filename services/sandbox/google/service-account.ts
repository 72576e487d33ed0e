import { generateKeyPairSync, type KeyObject, randomBytes, randomInt } from 'node:crypto';
import { chmod, writeFile } from 'node:fs/promises';

/**
 * The sandbox's Google service account: a fresh RSA key pair per start, and the JSON key file a
 * real service account would download from the Cloud console, except that `token_uri` (and
 * `auth_uri`) point at the stand-in. The certificate URLs of a real key file are left out: the
 * stand-in serves no X.509 certificates.
 */

export const DEFAULT_CLIENT_EMAIL = 'idsync-sandbox@idsync-sandbox.iam.gserviceaccount.com';

export interface ServiceAccount {
  readonly projectId: string;
  readonly clientEmail: string;
  readonly clientId: string;
  /** 40 hex digits, like Google's key ids. */
  readonly privateKeyId: string;
  /** PKCS#8 PEM, as real key files hold it. */
  readonly privateKeyPem: string;
  /** Verifies the RS256 signatures of the JWT assertions. */
  readonly publicKey: KeyObject;
}

export function createServiceAccount(clientEmail = DEFAULT_CLIENT_EMAIL): ServiceAccount {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const domain = clientEmail.split('@')[1] ?? '';
  return {
    projectId: domain.split('.')[0] || 'idsync-sandbox',
    clientEmail,
    clientId: `1${Array.from({ length: 20 }, () => randomInt(10)).join('')}`,
    privateKeyId: randomBytes(20).toString('hex'),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey,
  };
}

/** The service-account JSON key, in the format of a real one. */
export function serviceAccountKeyJson(
  account: ServiceAccount,
  urls: { readonly tokenUri: string; readonly authUri: string },
): Record<string, string> {
  return {
    type: 'service_account',
    project_id: account.projectId,
    private_key_id: account.privateKeyId,
    private_key: account.privateKeyPem,
    client_email: account.clientEmail,
    client_id: account.clientId,
    auth_uri: urls.authUri,
    token_uri: urls.tokenUri,
    universe_domain: 'googleapis.com',
  };
}

/** Writes the key file readable by its owner only (0600), also when it already existed. */
export async function writeKeyFile(path: string, json: Record<string, string>): Promise<void> {
  await writeFile(path, `${JSON.stringify(json, null, 2)}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
}
