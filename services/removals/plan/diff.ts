import { normalizeEmail } from '../../../shared/email.js';

/**
 * Who joined and who left between two COMPLETE snapshots, as sets of normalised emails.
 * Order and duplicates in the inputs do not matter; the output is sorted.
 */
export interface SnapshotDiff {
  readonly joined: string[];
  readonly left: string[];
}

export function diffSnapshots(older: Iterable<string>, newer: Iterable<string>): SnapshotDiff {
  const before = toEmailSet(older);
  const after = toEmailSet(newer);
  return {
    joined: [...after].filter((email) => !before.has(email)).sort(),
    left: [...before].filter((email) => !after.has(email)).sort(),
  };
}

function toEmailSet(emails: Iterable<string>): Set<string> {
  const set = new Set<string>();
  for (const raw of emails) {
    const email = normalizeEmail(raw);
    if (email.length > 0) set.add(email);
  }
  return set;
}
