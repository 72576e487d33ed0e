import type { admin_directory_v1 } from '@googleapis/admin';
import { directoryClient } from './directory-client.js';
import { classifyGoogleError, type GoogleFailure } from './google-errors.js';
import { GoogleWriteError } from './google-write-error.js';

/**
 * The Google Directory adapter for member writes: `members.delete` (a person taken out of a
 * group, ending an IAM Identity Center user's seat) and `members.insert` (`idsync restore`),
 * through `@googleapis/admin` with a JWT client impersonating a Workspace admin that asks for
 * the write scope `admin.directory.group.member` (granted by domain-wide delegation). One call
 * per method, no retry here: the worker retries (services/removals/worker/pacing/call-pacing.ts) and
 * `restore` reports; gaxios's retry is off. A member already gone (404 on delete) and a member
 * already there (409 on insert) are answers, not failures; a refused scope names the scope.
 */

export const DIRECTORY_MEMBER_WRITE_SCOPE =
  'https://www.googleapis.com/auth/admin.directory.group.member';

export { GoogleWriteError };

export type MemberRemoval = 'removed' | 'already_gone';
export type MemberAddition = 'added' | 'already_member';

/** The member writes idsync makes (the removals module's port, and `idsync restore`'s). */
export interface GroupMemberWrites {
  removeMember(group: string, email: string): Promise<MemberRemoval>;
  addMember(group: string, email: string): Promise<MemberAddition>;
}

export interface GroupMemberWriterOptions {
  /** Path of the service-account JSON key; its `token_uri` is honoured. */
  readonly credentialsPath: string;
  /** The Workspace admin to impersonate. */
  readonly subject: string;
  readonly rootUrl?: string;
  /** Per-request timeout of the call and of the token request; default 30 s. */
  readonly timeoutMs?: number;
}

/** Builds the writer from a key file (read now: a bad file is a ConfigError at start). */
export function createGroupMemberWriter(options: GroupMemberWriterOptions): GoogleGroupMembers {
  const api = directoryClient(options, DIRECTORY_MEMBER_WRITE_SCOPE);
  return new GoogleGroupMembers(api, options.subject);
}

export class GoogleGroupMembers implements GroupMemberWrites {
  constructor(
    private readonly api: admin_directory_v1.Admin,
    private readonly subject?: string,
  ) {}

  async removeMember(group: string, email: string): Promise<MemberRemoval> {
    try {
      await this.api.members.delete({ groupKey: group, memberKey: email });
      return 'removed';
    } catch (error) {
      const failure = classifyGoogleError(error);
      // Not a member (any more): what the call was for. An unknown group is an error.
      if (failure.kind === 'not_found' && !/groupKey/.test(failure.summary)) return 'already_gone';
      throw this.failure(`removing ${email} from ${group}`, failure);
    }
  }

  async addMember(group: string, email: string): Promise<MemberAddition> {
    try {
      await this.api.members.insert({ groupKey: group, requestBody: { email, role: 'MEMBER' } });
      return 'added';
    } catch (error) {
      const failure = classifyGoogleError(error);
      if (failure.status === 409) return 'already_member';
      throw this.failure(`adding ${email} to ${group}`, failure);
    }
  }

  private failure(where: string, failure: GoogleFailure): GoogleWriteError {
    if (failure.kind === 'network') {
      const reason = /^no answer \((.*)\)$/.exec(failure.summary)?.[1] ?? failure.summary;
      const what = /timed? ?out|ETIMEDOUT|aborted/i.test(reason)
        ? `did not answer in time (${reason})`
        : `is unreachable (${reason})`;
      return new GoogleWriteError(`${where}: Google Directory ${what}`, failure);
    }
    if (failure.kind === 'auth' || failure.kind === 'forbidden')
      return new GoogleWriteError(
        `${where}: not allowed${this.subject ? ` impersonating ${this.subject}` : ''}: ` +
          `${failure.summary}. IDSYNC_GOOGLE_GROUP_WRITE=on needs the scope ` +
          `${DIRECTORY_MEMBER_WRITE_SCOPE} granted to the service account's client id by ` +
          'domain-wide delegation, and an admin subject that may manage the group',
        failure,
      );
    if (failure.kind === 'not_found')
      return new GoogleWriteError(`${where}: no such group (${failure.summary})`, failure);
    return new GoogleWriteError(`${where}: ${failure.summary}`, failure);
  }
}
