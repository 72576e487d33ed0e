import { chmod, writeFile } from 'node:fs/promises';
import type { Config } from '../config/index.js';
import { ConfigError } from '../errors.js';
import { LAMBDA_ENV, SECRETS_EXTENSION_PORT } from '../lambda/lambda-env.js';
import { extensionSecretReader, type SecretReader } from './secrets-extension.js';
import { parseServiceAccountKey } from './service-account-key.js';

/**
 * The Google service-account key of a Lambda function (the snapshot always; the worker when
 * IDSYNC_GOOGLE_GROUP_WRITE is on): read from Secrets Manager through the AWS Parameters and
 * Secrets Lambda Extension (which may only be called during an invocation, so a handler calls this
 * while building its container on the first one) and written once to IDSYNC_GOOGLE_CREDENTIALS,
 * readable by the owner only. The Google clients then read the key file as the CLI does.
 */

/**
 * Fetches the Google key, checks it is a service-account key (messages never quote it) and
 * writes it to `path` readable by the owner only.
 */
export async function materialiseGoogleKey(
  secrets: SecretReader,
  secretId: string,
  path: string,
): Promise<void> {
  const text = await secrets.readSecretString(secretId);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(
      LAMBDA_ENV.googleKeySecret,
      `secret ${secretId} is not JSON (put the service-account key file content in it)`,
    );
  }
  parseServiceAccountKey(json, `in secret ${secretId}`);
  await writeFile(path, text, { mode: 0o600 });
  await chmod(path, 0o600);
}

/**
 * The key of this function, from the secret IDSYNC_GOOGLE_CREDENTIALS_SECRET names, to the key
 * file IDSYNC_GOOGLE_CREDENTIALS names. `secrets` defaults to the extension on
 * SECRETS_EXTENSION_PORT, authenticated with the function's session token.
 */
export async function writeLambdaGoogleKey(
  config: Pick<Config, 'google' | 'aws' | 'lambda'>,
  secrets?: SecretReader,
): Promise<void> {
  const secretId = config.lambda.googleCredentialsSecret;
  if (!secretId)
    throw new ConfigError(LAMBDA_ENV.googleKeySecret, 'is required (ARN of the Google key secret)');
  const reader =
    secrets ??
    extensionSecretReader({
      port: SECRETS_EXTENSION_PORT,
      sessionToken: config.aws.credentials?.sessionToken,
    });
  await materialiseGoogleKey(reader, secretId, config.google.credentialsPath);
}
