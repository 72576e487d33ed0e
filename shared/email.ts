/**
 * Email normalisation used everywhere a person is compared: Unicode NFKC (full-width ａ → a,
 * full-width ＠ → @), trimmed, lower-cased.
 */
export function normalizeEmail(raw: string): string {
  // NFKC again after lower-casing: lower-casing can produce a string NFKC changes (Greek with
  // combining marks), and normalisation must be idempotent.
  return raw.normalize('NFKC').trim().toLowerCase().normalize('NFKC');
}

/** A pragmatic validity check of an already normalised email: one @, a local part, a dotted domain. */
export function isValidEmail(normalized: string): boolean {
  return /^[^\s@"'<>(),;:\\[\]]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/.test(
    normalized,
  );
}
