/**
 * Creation evidence from idsync's own snapshots: a QuickSight user listed by a COMPLETE snapshot
 * that the COMPLETE snapshot before it did not list was created in between. Pure.
 */

export interface ListedSnapshot {
  readonly startedAt: string;
  /** The users it listed, by `activityKey(namespace, userName)`. */
  readonly userKeys: ReadonlySet<string>;
}

/**
 * For each user, the start of the newest snapshot that listed it right after one that did not
 * (`snapshots` in any order; only COMPLETE ones). Users listed by the oldest snapshot and by
 * every later one have no entry: nothing shows when they were created.
 */
export function firstListings(snapshots: readonly ListedSnapshot[]): Map<string, string> {
  const ordered = [...snapshots].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  const out = new Map<string, string>();
  for (let i = 1; i < ordered.length; i++) {
    const before = ordered[i - 1];
    const now = ordered[i];
    if (!before || !now) continue;
    for (const key of now.userKeys) if (!before.userKeys.has(key)) out.set(key, now.startedAt);
  }
  return out;
}
