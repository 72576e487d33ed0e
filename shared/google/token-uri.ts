import type { JWT } from 'google-auth-library';
import { GOOGLE_TOKEN_URL } from './service-account-key.js';

/**
 * google-auth-library's JWT client (through gtoken) posts its JWT-bearer grant to Google's fixed
 * token URL, whatever the key file's `token_uri` says. This request interceptor on the client's
 * own gaxios transporter sends that request to `tokenUri` instead (the assertion, signed by the
 * library, is untouched), and turns off gaxios's retry of it: idsync retries at one layer only.
 * `timeoutMs` bounds the token request as the member requests are bounded.
 */
export function honourTokenUri(client: JWT, tokenUri: string, timeoutMs?: number): void {
  const target = new URL(tokenUri);
  client.transporter.interceptors.request.add({
    resolved: async (config) => {
      if (config.url.href !== GOOGLE_TOKEN_URL) return config;
      config.retry = false;
      config.retryConfig = { ...config.retryConfig, retry: 0 };
      if (timeoutMs !== undefined) config.timeout = timeoutMs;
      if (target.href !== GOOGLE_TOKEN_URL) config.url = new URL(target.href);
      return config;
    },
  });
}
