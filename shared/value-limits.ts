/**
 * Limits on values that become DynamoDB keys or attributes, checked where they enter idsync
 * (CSV cells, event fields, listings). A value that fails gets a per-item `invalid` decision or
 * a per-line error, never a crash half-way through a run. The limits (docs/DATA-MODEL.md):
 *
 * - email: 254 characters (the SMTP path limit, RFC 5321) — every email key stays far below
 *   DynamoDB's 2048-byte partition-key limit;
 * - QuickSight user name: 1–512 characters of U+0020–U+00FF (the API's `UserName` pattern; 512
 *   bounds `<namespace>#<userName>` task keys at 64 + 1 + 1024 bytes of UTF-8);
 * - event id: 1–128 characters (CloudTrail ids and EventBridge ids are UUIDs, 36);
 * - IdC user id: 1–47 characters (IdentityStore API reference, `UserId`: length 1–47, pattern
 *   `([0-9a-f]{10}-|)` + a UUID).
 *
 * Every text value is also refused when it holds control characters, zero-width characters or
 * bidirectional overrides: they hide what an operator reads in a plan or an audit row.
 */

export const MAX_EMAIL_LENGTH = 254;
export const MAX_USER_NAME_LENGTH = 512;
export const MAX_EVENT_ID_LENGTH = 128;
export const MAX_IDC_USER_ID_LENGTH = 47;
/** DynamoDB's limit on a partition key value, in UTF-8 bytes. */
export const MAX_PARTITION_KEY_BYTES = 2048;

/** C0/C1 controls, zero-width characters, bidi embeddings/overrides/isolates, BOM. */
export function isUnsafeCodePoint(cp: number): boolean {
  return (
    cp <= 0x1f ||
    (cp >= 0x7f && cp <= 0x9f) ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2060 && cp <= 0x2064) ||
    (cp >= 0x2066 && cp <= 0x2069) ||
    cp === 0xfeff
  );
}

function firstUnsafe(value: string): number | undefined {
  for (const ch of value) {
    const cp = ch.codePointAt(0) ?? 0;
    if (isUnsafeCodePoint(cp)) return cp;
  }
  return undefined;
}

/** Why `value` may not be used, or undefined when it is fine. */
export function unsafeTextReason(
  value: string,
  what: string,
  maxLength: number,
): string | undefined {
  if (value.length === 0) return `${what} is empty`;
  if (value.length > maxLength)
    return `${what} is ${value.length} characters long (at most ${maxLength})`;
  if (Buffer.byteLength(value, 'utf8') > MAX_PARTITION_KEY_BYTES)
    return `${what} is longer than ${MAX_PARTITION_KEY_BYTES} bytes`;
  const bad = firstUnsafe(value);
  if (bad !== undefined) {
    const code = bad.toString(16).toUpperCase().padStart(4, '0');
    return `${what} contains the invisible or control character U+${code}`;
  }
  return undefined;
}

export function emailProblem(email: string): string | undefined {
  return unsafeTextReason(email, 'email', MAX_EMAIL_LENGTH);
}

/** The QuickSight `UserName` pattern is [\u0020-\u00FF]+. */
export function userNameProblem(userName: string): string | undefined {
  const reason = unsafeTextReason(userName, 'QuickSight user name', MAX_USER_NAME_LENGTH);
  if (reason) return reason;
  return /^[\u0020-\u00ff]+$/u.test(userName)
    ? undefined
    : 'QuickSight user name has characters outside U+0020–U+00FF';
}

export function eventIdProblem(eventId: string): string | undefined {
  return unsafeTextReason(eventId, 'event id', MAX_EVENT_ID_LENGTH);
}

/**
 * An IdC user id as IdentityStore issues them (`[10 hex]-<uuid>` or a uuid; the API allows 1–47
 * characters): letters, digits and hyphens only. The one statement of the rule: listings
 * (shared/listing-limits.ts), CloudTrail events (services/events/parse-events.ts) and
 * `idsync resolve` use it. It also keeps ids apart from the identity map's own items (`#…`).
 */
export const IDC_USER_ID_PATTERN = new RegExp(`^[A-Za-z0-9-]{1,${MAX_IDC_USER_ID_LENGTH}}$`);

export function idcUserIdProblem(userId: string): string | undefined {
  const unsafe = unsafeTextReason(userId, 'IdC user id', MAX_IDC_USER_ID_LENGTH);
  if (unsafe !== undefined) return unsafe;
  return IDC_USER_ID_PATTERN.test(userId)
    ? undefined
    : 'IdC user id has characters other than letters, digits and -';
}

/** A short, printable rendering of a value for messages (never the whole of a huge value). */
export function shownValue(value: string, max = 60): string {
  let visible = '';
  for (const ch of value) {
    const cp = ch.codePointAt(0) ?? 0;
    visible += isUnsafeCodePoint(cp) ? `\\u{${cp.toString(16)}}` : ch;
    if (visible.length > max) return `${visible.slice(0, max - 1)}…`;
  }
  return visible;
}
