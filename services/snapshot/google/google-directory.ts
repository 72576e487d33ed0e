import type { admin_directory_v1 } from '@googleapis/admin';
import type { GoogleMember } from '../../../shared/domain.js';
import { RemoteServiceError } from '../../../shared/errors.js';
import { directoryClient } from '../../../shared/google/directory-client.js';
import { classifyGoogleError, type GoogleFailure } from '../../../shared/google/google-errors.js';
import type { GoogleDirectoryPort } from '../../../shared/ports.js';
import { type BackoffPolicy, DEFAULT_BACKOFF, withRetry } from '../../../shared/retry.js';

/**
 * The Google Directory adapter: members of a group, nested groups flattened, through the real
 * `@googleapis/admin` client with a google-auth-library JWT client impersonating a Workspace
 * admin (domain-wide delegation, read-only member scope). Transient failures (throttling 403s,
 * 429, 5xx, resets, token-endpoint 5xx) are retried here, once per page, with capped full-jitter
 * backoff; gaxios's own retry is off so retries never stack.
 */

export const DIRECTORY_MEMBER_READONLY_SCOPE =
  'https://www.googleapis.com/auth/admin.directory.group.member.readonly';
export const GOOGLE_MEMBERS_PAGE_SIZE = 200;

const SERVICE = 'Google Directory';

export interface GoogleRetryEvent {
  readonly groupKey: string;
  readonly page: number;
  readonly attempt: number;
  readonly delayMs: number;
  /** One line, no secrets: e.g. `HTTP 403 quotaExceeded: …`, `no answer (ECONNRESET)`. */
  readonly reason: string;
}

export interface GoogleDirectorySettings {
  /** Retry policy per page request; default DEFAULT_BACKOFF. */
  readonly retry?: BackoffPolicy;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** Called before each backoff wait (for logs and counters). */
  readonly onRetry?: (event: GoogleRetryEvent) => void;
  /** Named in auth error messages. */
  readonly subject?: string;
}

export interface GoogleDirectoryOptions extends GoogleDirectorySettings {
  /** Path of the service-account JSON key; its `token_uri` is honoured. */
  readonly credentialsPath: string;
  /** The Workspace admin to impersonate. */
  readonly subject: string;
  /** Admin SDK root URL, e.g. `https://admin.googleapis.com/`. */
  readonly rootUrl?: string;
  /** Per-request timeout of member pages and of the token request; default 30 s. */
  readonly timeoutMs?: number;
}

/**
 * Builds the adapter from a key file. Reads the key file now, so a missing or malformed file is
 * a ConfigError (IDSYNC_GOOGLE_CREDENTIALS) at start; the token is fetched on the first call.
 */
export function createGoogleDirectory(options: GoogleDirectoryOptions): GoogleDirectory {
  const api = directoryClient(options, DIRECTORY_MEMBER_READONLY_SCOPE);
  return new GoogleDirectory(api, options);
}

export class GoogleDirectory implements GoogleDirectoryPort {
  constructor(
    private readonly api: admin_directory_v1.Admin,
    private readonly settings: GoogleDirectorySettings = {},
  ) {}

  /** One array per page (an empty group: one empty page); only USER members. */
  async *listMembers(groupKey: string): AsyncIterable<readonly GoogleMember[]> {
    let pageToken: string | undefined;
    for (let page = 1; ; page++) {
      const data = await this.fetchPage(groupKey, page, pageToken);
      yield usersOf(data.members ?? []);
      const next = data.nextPageToken ?? undefined;
      if (!next) return;
      if (next === pageToken)
        throw new RemoteServiceError(
          SERVICE,
          `listing members of ${groupKey}, page ${page}: the API repeated its page token`,
          { retryable: true },
        );
      pageToken = next;
    }
  }

  private async fetchPage(
    groupKey: string,
    page: number,
    pageToken: string | undefined,
  ): Promise<admin_directory_v1.Schema$Members> {
    const policy = this.settings.retry ?? DEFAULT_BACKOFF;
    let attempts = 0;
    let lastFailure: GoogleFailure | undefined;
    try {
      return await withRetry(
        async (attempt) => {
          attempts = attempt;
          const res = await this.api.members.list({
            groupKey,
            maxResults: GOOGLE_MEMBERS_PAGE_SIZE,
            includeDerivedMembership: true,
            ...(pageToken ? { pageToken } : {}),
          });
          return res.data;
        },
        {
          policy,
          classify: (error) => {
            lastFailure = classifyGoogleError(error);
            return lastFailure;
          },
          ...(this.settings.sleep ? { sleep: this.settings.sleep } : {}),
          ...(this.settings.random ? { random: this.settings.random } : {}),
          onRetry: ({ attempt, delayMs }) =>
            this.settings.onRetry?.({
              groupKey,
              page,
              attempt,
              delayMs,
              reason: lastFailure?.summary ?? 'unknown',
            }),
        },
      );
    } catch (error) {
      const failure = lastFailure ?? classifyGoogleError(error);
      throw this.failure(groupKey, page, attempts, failure, urlOf(error));
    }
  }

  private failure(
    groupKey: string,
    page: number,
    attempts: number,
    failure: GoogleFailure,
    url?: string,
  ): RemoteServiceError {
    const where = `listing members of ${groupKey}, page ${page}`;
    const gaveUp = `gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
    if (failure.kind === 'network') {
      const reason = /^no answer \((.*)\)$/.exec(failure.summary)?.[1] ?? failure.summary;
      const at = url ?? 'its endpoint';
      const what = /timed? ?out|ETIMEDOUT|aborted/i.test(reason)
        ? `did not answer in time (${reason})`
        : `is unreachable (${reason})`;
      return new RemoteServiceError(SERVICE, `${where}: ${SERVICE} at ${at} ${what}; ${gaveUp}`, {
        retryable: true,
      });
    }
    if (failure.retryable)
      return new RemoteServiceError(
        SERVICE,
        `${where}: ${failure.summary}; gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}`,
        { retryable: true },
      );
    if (failure.kind === 'auth' || failure.kind === 'forbidden') {
      const who = this.settings.subject ? ` impersonating ${this.settings.subject}` : '';
      return new RemoteServiceError(
        SERVICE,
        `${where}: authorisation failed${who}: ${failure.summary}. Check the service-account key, ` +
          `the admin to impersonate, and that the key's client id has domain-wide delegation ` +
          `for ${DIRECTORY_MEMBER_READONLY_SCOPE}`,
      );
    }
    if (failure.kind === 'not_found')
      return new RemoteServiceError(SERVICE, `${where}: no such group (${failure.summary})`);
    return new RemoteServiceError(SERVICE, `${where}: ${failure.summary}`);
  }
}

/** Origin of the URL a gaxios error was about (the Admin SDK or the token endpoint). */
function urlOf(error: unknown): string | undefined {
  const url = (error as { config?: { url?: unknown } } | null)?.config?.url;
  const text = url instanceof URL ? url.href : typeof url === 'string' ? url : undefined;
  return text && URL.canParse(text) ? new URL(text).origin : undefined;
}

/** The USER members of a page, in domain form; nested GROUP rows and rows without an email are dropped. */
export function usersOf(members: readonly admin_directory_v1.Schema$Member[]): GoogleMember[] {
  const users: GoogleMember[] = [];
  for (const m of members) {
    if (m.type?.toUpperCase() !== 'USER' || !m.id || !m.email) continue;
    users.push({
      id: m.id,
      email: m.email,
      type: m.type,
      ...(m.role ? { role: m.role } : {}),
      ...(m.status ? { status: m.status } : {}),
    });
  }
  return users;
}
