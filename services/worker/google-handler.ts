import { createGoogleManagers } from '../../shared/google/google-managers.js';
import { buildGroupMemberWriter } from '../../shared/google/group-member-writer-from-config.js';
import { writeLambdaGoogleKey } from '../../shared/google/lambda-google-key.js';
import type { SecretReader } from '../../shared/google/secrets-extension.js';
import {
  createWorkerHandler,
  type WorkerConfig,
  type WorkerGoogleClients,
  type WorkerHandlerOptions,
} from './handler.js';

/**
 * The worker Lambda with Google writes: the entry the stack deploys when group writes are on
 * (IDSYNC_GOOGLE_GROUP_WRITE=on in the stack's settings), so that the default worker bundle
 * (services/worker/handler.ts) carries no Google client. On the first invocation it fetches the
 * Google key as the snapshot does (shared/google/lambda-google-key.ts) and builds the member
 * writer of `leave_group` tasks and, with IDSYNC_ASSET_SUCCESSOR=manager:…, the manager lookup.
 */

/** The Google clients of the worker, from the key in Secrets Manager (default: the extension). */
export function workerGoogleClients(secrets?: SecretReader) {
  return async (config: WorkerConfig): Promise<WorkerGoogleClients> => {
    await writeLambdaGoogleKey(config, secrets);
    const { google, aws } = config;
    return {
      groupMembers: () => buildGroupMemberWriter(config),
      ...(config.plan.assetSuccessor?.kind === 'manager'
        ? {
            managers: () =>
              createGoogleManagers({
                credentialsPath: google.credentialsPath,
                subject: google.subject,
                rootUrl: google.rootUrl,
                ...(aws.timeouts ? { timeoutMs: aws.timeouts.requestMs } : {}),
              }),
          }
        : {}),
    };
  };
}

/** Builds the handler with Google writes; `env` is the Lambda's environment. */
export function createGoogleWorkerHandler(
  env: Record<string, string | undefined>,
  options: Omit<WorkerHandlerOptions, 'google'> & { readonly secrets?: SecretReader } = {},
) {
  const { secrets, ...rest } = options;
  return createWorkerHandler(env, { ...rest, google: workerGoogleClients(secrets) });
}

/** The Lambda entry point (`index.handler`). The handler edge is where the environment is read. */
export const handler = createGoogleWorkerHandler(process.env);
