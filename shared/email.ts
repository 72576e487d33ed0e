/**
 * Email normalisation used everywhere a person is compared: Unicode NFKC (full-width ａ → a,
 * full-width ＠ → @), trimmed, lower-cased.
 */
export function normalizeEmail(raw: string): string {
  return raw.normalize('NFKC').trim().toLowerCase();
}

/** A pragmatic validity check of an already normalised email: one @, a local part, a dotted domain. */
export function isValidEmail(normalized: string): boolean {
  return /^[^\s@"'<>(),;:\\[\]]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/.test(
    normalized,
  );
}
