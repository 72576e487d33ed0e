import { ConfigError, isRetryable, RemoteServiceError } from '../errors.js';
import { LAMBDA_ENV } from '../lambda/lambda-env.js';
import { type BackoffPolicy, withRetry } from '../retry.js';

/**
 * Secrets Manager in a Lambda function, read through the AWS Parameters and Secrets Lambda
 * Extension (the snapshot function's Google key). The extension may only be called during an
 * invocation; services/snapshot/handler.ts builds the reader on the first one.
 */

/** Reads a secret's string value. */
export interface SecretReader {
  readSecretString(secretId: string): Promise<string>;
}

export interface ExtensionReaderOptions {
  /** Port of the extension (PARAMETERS_SECRETS_EXTENSION_HTTP_PORT). */
  readonly port: number;
  /** @default 'localhost' (as AWS documents the extension's endpoint) */
  readonly host?: string;
  /** The function's AWS_SESSION_TOKEN: the extension's request token. */
  readonly sessionToken: string | undefined;
  readonly timeoutMs?: number;
  readonly retry?: BackoffPolicy;
}

/**
 * The AWS Parameters and Secrets Lambda Extension: `GET /secretsmanager/get?secretId=…` on
 * localhost, authenticated with the session token; the answer is GetSecretValue's JSON. The
 * extension caches the value, so warm containers cost no Secrets Manager call.
 */
export function extensionSecretReader(options: ExtensionReaderOptions): SecretReader {
  const service = 'Secrets Manager (Lambda extension)';
  return {
    async readSecretString(secretId) {
      const token = options.sessionToken;
      if (!token)
        throw new ConfigError('AWS_SESSION_TOKEN', 'is required to call the secrets extension');
      const url = `http://${options.host ?? 'localhost'}:${options.port}/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`;
      const once = async () => {
        let response: Response;
        try {
          response = await fetch(url, {
            headers: { 'X-Aws-Parameters-Secrets-Token': token },
            signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
          });
        } catch (error) {
          throw new RemoteServiceError(service, `no answer (${(error as Error).message})`, {
            cause: error,
            retryable: true,
          });
        }
        const body = await response.text();
        if (!response.ok) {
          // The body is an error message from the extension, never the secret.
          throw new RemoteServiceError(service, `HTTP ${response.status}: ${body.slice(0, 200)}`, {
            retryable: response.status >= 500,
          });
        }
        let value: unknown;
        try {
          value = (JSON.parse(body) as { SecretString?: unknown }).SecretString;
        } catch {
          // A parse error message would quote the body, which holds the secret.
          throw new RemoteServiceError(service, 'answer is not GetSecretValue JSON');
        }
        if (typeof value !== 'string' || value === '') {
          throw new ConfigError(
            LAMBDA_ENV.googleKeySecret,
            `secret ${secretId} has no string value`,
          );
        }
        return value;
      };
      return withRetry(once, {
        policy: options.retry ?? { baseMs: 100, capMs: 2_000, maxAttempts: 4 },
        classify: (error) => ({ retryable: isRetryable(error) }),
      });
    },
  };
}
