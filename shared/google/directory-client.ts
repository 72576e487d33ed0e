import { admin, type admin_directory_v1 } from '@googleapis/admin';
import { JWT } from 'google-auth-library';
import { readServiceAccountKey } from './service-account-key.js';
import { honourTokenUri } from './token-uri.js';

/** The Admin SDK's root URL when IDSYNC_GOOGLE_ROOT_URL is not set (the sandbox sets its own). */
export const DEFAULT_GOOGLE_ROOT_URL = 'https://admin.googleapis.com/';

export interface DirectoryClientOptions {
  /** Path of the service-account JSON key; its `token_uri` is honoured. */
  readonly credentialsPath: string;
  /** The Workspace admin to impersonate. */
  readonly subject: string;
  /** Admin SDK root URL; default DEFAULT_GOOGLE_ROOT_URL. */
  readonly rootUrl?: string;
  /** Per-request timeout of the calls and of the token request; default 30 s. */
  readonly timeoutMs?: number;
}

/**
 * The Directory API client every Google adapter uses (the member listing, the member writes, the
 * manager lookup), each with the one scope it needs: a JWT client impersonating `subject` with
 * the key's `token_uri` honoured, no retries of its own (each adapter retries at one layer), and
 * the request timeout. Reads the key file now: a missing or malformed file is a ConfigError
 * (IDSYNC_GOOGLE_CREDENTIALS) at start; the token is fetched on the first call.
 */
export function directoryClient(
  options: DirectoryClientOptions,
  scope: string,
): admin_directory_v1.Admin {
  const key = readServiceAccountKey(options.credentialsPath);
  const auth = new JWT({
    email: key.clientEmail,
    key: key.privateKey,
    ...(key.privateKeyId ? { keyId: key.privateKeyId } : {}),
    subject: options.subject,
    scopes: [scope],
  });
  const timeoutMs = options.timeoutMs ?? 30_000;
  honourTokenUri(auth, key.tokenUri, timeoutMs);
  return admin({
    version: 'directory_v1',
    auth,
    rootUrl: options.rootUrl ?? DEFAULT_GOOGLE_ROOT_URL,
    retry: false,
    timeout: timeoutMs,
  });
}
