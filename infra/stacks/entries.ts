import { existsSync } from 'node:fs';
import { defaultEntry, JOBS, type Job, REPO_ROOT } from '../constructs/idsync-function.js';

export interface FoundEntries {
  /** Handler file of each job whose handler exists. */
  readonly entries: Partial<Record<Job, string>>;
  /** Jobs whose `services/<job>/handler.ts` does not exist (yet): not deployed. */
  readonly missing: readonly Job[];
}

/** Finds `services/<job>/handler.ts` of every job under `root`. */
export function findEntries(root = REPO_ROOT): FoundEntries {
  const entries: Partial<Record<Job, string>> = {};
  const missing: Job[] = [];
  for (const job of JOBS) {
    const entry = defaultEntry(job, root);
    if (existsSync(entry)) entries[job] = entry;
    else missing.push(job);
  }
  return { entries, missing };
}
