import type { admin_directory_v1 } from '@googleapis/admin';
import { RemoteServiceError } from '../errors.js';
import { type BackoffPolicy, DEFAULT_BACKOFF, withRetry } from '../retry.js';
import { directoryClient } from './directory-client.js';
import { classifyGoogleError, type GoogleFailure } from './google-errors.js';

/**
 * A person's manager from the Google Directory (`users.get`, the user's `relations` of type
 * `manager`), for IDSYNC_ASSET_SUCCESSOR=manager:… (services/removals/handover/). Its own JWT client
 * with the read-only user scope (the snapshot's client asks only for the member scope); retried
 * like the member listing (throttling 403s, 429, 5xx, resets); a user Google does not know has no
 * manager.
 */

export const DIRECTORY_USER_READONLY_SCOPE =
  'https://www.googleapis.com/auth/admin.directory.user.readonly';
const SERVICE = 'Google Directory';

export interface GoogleManagersOptions {
  readonly credentialsPath: string;
  readonly subject: string;
  readonly rootUrl?: string;
  readonly retry?: BackoffPolicy;
  readonly timeoutMs?: number;
}

export interface ManagerLookup {
  /** The manager's email, or undefined (no such user, or no manager relation). */
  managerOf(email: string): Promise<string | undefined>;
}

export function createGoogleManagers(options: GoogleManagersOptions): ManagerLookup {
  const api = directoryClient(options, DIRECTORY_USER_READONLY_SCOPE);
  return { managerOf: (email) => managerOf(api, email, options.retry ?? DEFAULT_BACKOFF) };
}

async function managerOf(
  api: admin_directory_v1.Admin,
  email: string,
  policy: BackoffPolicy,
): Promise<string | undefined> {
  let last: GoogleFailure | undefined;
  try {
    const user = await withRetry(async () => (await api.users.get({ userKey: email })).data, {
      policy,
      classify: (error) => {
        last = classifyGoogleError(error);
        return last;
      },
    });
    return managerRelation(user.relations);
  } catch (error) {
    const failure = last ?? classifyGoogleError(error);
    if (failure.kind === 'not_found') return undefined;
    throw new RemoteServiceError(SERVICE, `reading the manager of a user: ${failure.summary}`, {
      retryable: failure.retryable,
    });
  }
}

/** The first relation of type `manager` (an email), if any. */
export function managerRelation(relations: unknown): string | undefined {
  if (!Array.isArray(relations)) return undefined;
  for (const r of relations as { type?: unknown; value?: unknown }[])
    if (r?.type === 'manager' && typeof r.value === 'string' && r.value.includes('@'))
      return r.value;
  return undefined;
}
