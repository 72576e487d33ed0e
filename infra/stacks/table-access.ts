import type { TableId } from '../../shared/tables.js';
import type { Job } from '../constructs/idsync-function.js';

export interface TableAccess {
  readonly read: readonly TableId[];
  readonly readWrite: readonly TableId[];
}

/**
 * Which tables each job reads or writes (docs/DATA-MODEL.md); every job may also append to the
 * audit table (PutItem + Query only). Widen here, in one place, when a job needs more.
 */
export const TABLE_ACCESS: Readonly<Record<Job, TableAccess>> = {
  snapshot: { read: [], readWrite: ['snapshots', 'identities', 'ledger'] },
  plan: {
    read: ['snapshots', 'identities', 'ledger', 'guard'],
    readWrite: ['events', 'tasks'],
  },
  // worker: the activity record (pending events included), the identity map and the notices are
  // read (never written) to judge idle users again before the call.
  worker: {
    read: ['snapshots', 'ledger', 'activity', 'identities', 'notices'],
    readWrite: ['tasks', 'guard'],
  },
  events: {
    read: ['snapshots', 'ledger', 'guard'],
    readWrite: ['events', 'identities', 'tasks'],
  },
  // activity sync / live events: attribution reads the newest snapshot's users and the identity map.
  activity: { read: ['snapshots', 'identities'], readWrite: ['activity'] },
  // review (and its approval function): the idle selection reads what `idsync inactive` reads;
  // the review writes its tasks (AWAITING_APPROVAL) and its record.
  review: {
    read: ['snapshots', 'identities', 'ledger', 'activity', 'events'],
    readWrite: ['tasks', 'reviews'],
  },
};

/** Every table a job touches, audit included. */
export function tablesOf(job: Job): readonly TableId[] {
  const access = TABLE_ACCESS[job];
  return [...access.read, ...access.readWrite, 'audit'];
}
