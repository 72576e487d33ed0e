/**
 * The bad-input corpus: each case is a command line, its environment (on top of the sandbox's),
 * the files it reads, and what must come out: the exit code (DESIGN.md §4) and a fragment of the
 * message. Placeholders (in argv, env values and file contents): `{dir}` is the case's own
 * folder; `{leaver}` the email of a person who left their groups (a deletion would be planned for
 * them); `{leaverEvent}` their genuine DeleteUser event (EventBridge envelope);
 * `{event:FIELD=VALUE}` that event with one field changed (`source`, `account`, `eventSource`,
 * `eventName`, `userId`, `eventID`, `identityStoreId`) and its own event id; `{liveUser}` the IdC
 * user id of a member whose IdC user still exists; `{pem}` the sandbox key's PEM (JSON-escaped).
 * No case may print a stack trace or delete anything (bad-input.test.ts checks both).
 */

/**
 * IdC users the corpus's sandbox holds with emails a listing refuses (shared/listing-limits.ts):
 * bad-input.test.ts creates them before its first snapshot, which stores them without an email,
 * so a DeleteUser event naming one resolves to nobody.
 */
export const REFUSED_EMAIL_USERS: Readonly<Record<string, string>> = {
  'e1000000-0000-4000-8000-000000000001': `${'é'.repeat(1_000)}@x.com`,
  'e1000000-0000-4000-8000-000000000002': 'zero\u200bwidth@example.com',
};

/**
 * QuickSight users the corpus's sandbox holds with an identity type QuickSight does not document
 * (shared/quicksight-user-rules.ts: unknown → never deleted, flagged): bad-input.test.ts registers them
 * before its first snapshot. Email → identity type.
 */
export const UNKNOWN_IDENTITY_USERS: Readonly<Record<string, string>> = {
  'odd-type@example.com': 'SAML_FEDERATED',
  'empty-type@example.com': '',
};

export type CaseGroup = 'variable' | 'key-file' | 'argument' | 'csv' | 'event';

export interface BadInputCase {
  readonly id: string;
  readonly group: CaseGroup;
  readonly argv: readonly string[];
  /** On top of the sandbox's environment; `''` unsets a variable. */
  readonly env?: Readonly<Record<string, string>>;
  /** Files written to `{dir}` before the run. */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
  readonly code: number;
  /** Must appear in stdout or stderr (each one, when several). */
  readonly message: string | readonly string[];
  /**
   * A gap another branch closes (named here): the case states the required behaviour and is
   * expected to fail until that branch is merged (`it.fails`); remove the mark then.
   */
  readonly knownGap?: string;
  /** Also run as a child process of bin/idsync.js (the sample that checks the real process). */
  readonly spawn?: boolean;
}
