import type { AwsConfig, QuickSightConfig } from '../config/index.js';
import type { DeleteOutcome, QuickSightPort } from '../ports.js';
import { AwsCallError, isAwsError, isResourceNotFound } from './aws-errors.js';
import { createSignedFetch, encodeLabel, type SignedFetch } from './signed-fetch.js';

/**
 * QuickSight DeleteUser / DeleteUserByPrincipalId as two signed REST calls, for the worker
 * Lambda. Same contract as QuickSightDirectory's deletes (shared/aws/quicksight-directory.ts):
 * one attempt, a missing user is `not_found`, anything else an AwsCallError carrying
 * `throttled` / `retryAfterMs` for the worker's own pacing and retries. Without the QuickSight
 * SDK client the worker bundle is about a quarter smaller (BENCHMARKS.md, "Lambda bundles").
 *
 * restJson1 routes: `DELETE /accounts/{AwsAccountId}/namespaces/{Namespace}/users/{UserName}`
 * and `…/user-principals/{PrincipalId}`; errors carry the code in `x-amzn-errortype`.
 */

const SERVICE = 'QuickSight';

export type QuickSightDeleter = Pick<QuickSightPort, 'deleteUser' | 'deleteUserByPrincipalId'>;

export interface QuickSightDeleterOptions {
  readonly accountId: string;
  readonly namespace: string;
  /** e.g. `https://quicksight.us-east-1.amazonaws.com` (no trailing slash). */
  readonly endpoint: string;
  readonly fetch: SignedFetch;
}

export function quickSightDeleter(options: QuickSightDeleterOptions): QuickSightDeleter {
  const base = `${options.endpoint.replace(/\/+$/, '')}/accounts/${encodeLabel(options.accountId)}/namespaces/${encodeLabel(options.namespace)}`;
  const remove = async (operation: string, path: string): Promise<DeleteOutcome> => {
    try {
      await options.fetch({ method: 'DELETE', url: `${base}/${path}` });
      return 'deleted';
    } catch (error) {
      if (
        isAwsError(error, 'QuickSightUserNotFoundException') ||
        isResourceNotFound(error, 'USER')
      ) {
        return 'not_found';
      }
      throw new AwsCallError(SERVICE, operation, error);
    }
  };
  return {
    deleteUser: (userName) => remove('DeleteUser', `users/${encodeLabel(userName)}`),
    deleteUserByPrincipalId: (principalId) =>
      remove('DeleteUserByPrincipalId', `user-principals/${encodeLabel(principalId)}`),
  };
}

/** The deleter from configuration: the QuickSight identity region, the configured endpoint. */
export function createQuickSightDeleter(
  aws: AwsConfig,
  quicksight: QuickSightConfig,
): QuickSightDeleter {
  return quickSightDeleter({
    accountId: quicksight.accountId,
    namespace: quicksight.namespace,
    endpoint: aws.endpoints.quicksight ?? `https://quicksight.${quicksight.region}.amazonaws.com`,
    fetch: createSignedFetch({
      service: 'quicksight',
      region: quicksight.region,
      ...(aws.credentials ? { credentials: aws.credentials } : {}),
      ...(aws.timeouts ? { timeoutMs: aws.timeouts.requestMs } : {}),
    }),
  });
}
