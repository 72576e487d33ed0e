import type { Writable } from 'node:stream';
import { checkServiceRoles } from '../../shared/aws/check-roles.js';
import { scopeRoles } from '../../shared/aws/quicksight-users.js';
import {
  buildIdentityStore,
  buildLogger,
  buildQuickSight,
  buildStores,
  type Stores,
} from '../../shared/clients-from-config.js';
import type { Config } from '../../shared/config/index.js';
import type { Logger } from '../../shared/logger.js';
import { buildGoogle } from '../snapshot/google/runtime-google.js';
import { runSnapshot, type SnapshotResult } from '../snapshot/run-snapshot.js';
import { LineProgress, pageCounter } from './line-progress.js';

/** What a command that goes on after the snapshot (reconcile) lends it: one set for the run. */
export interface SnapshotShared {
  readonly stores: Stores;
  readonly logger: Logger;
  /** Return the rows the plan reads with a COMPLETE result (run-snapshot.ts, `holdListed`). */
  readonly holdListed?: boolean;
  /** Leave the identity map's gone-marking to the caller (run-snapshot.ts, `deferDepartures`). */
  readonly deferDepartures?: boolean;
}

/** Where the snapshot's progress line is drawn (stderr; nothing off a terminal). */
export interface SnapshotProgress {
  readonly stderr: Writable & { isTTY?: boolean };
}

/**
 * `idsync snapshot` with real clients built from configuration. With `shared`, the snapshot
 * uses the caller's stores and logger (and leaves them open for the caller to close).
 */
export async function takeSnapshot(
  config: Pick<
    Config,
    'core' | 'aws' | 'google' | 'identityStore' | 'quicksight' | 'snapshot' | 'inactive'
  >,
  shared?: SnapshotShared,
  progress?: SnapshotProgress,
): Promise<SnapshotResult> {
  // A role STS refuses is a configuration error (exit 2), not a PARTIAL snapshot.
  await checkServiceRoles(config.aws, ['quicksight', 'identitystore'], scopeRoles(config));
  const line = progress ? new LineProgress(progress.stderr) : undefined;
  const logger = shared?.logger ?? buildLogger(config);
  const stores = shared?.stores ?? buildStores(config);
  const idc = buildIdentityStore(config, logger);
  const qs = buildQuickSight(config, logger);
  try {
    return await runSnapshot(
      {
        google: buildGoogle(config, logger),
        identityStore: idc.port,
        quickSight: qs.port,
        snapshots: stores.snapshots,
        identities: stores.identities,
        ledger: stores.ledger,
        logger,
        ...(line ? { onPage: pageCounter(line, 'snapshot', 'rows') } : {}),
      },
      {
        groups: config.google.groups,
        keepGroups: config.inactive.keepGroups,
        retentionDays: config.snapshot.retentionDays,
        quickSightHome: config.quicksight.namespace,
        ...(shared?.holdListed ? { holdListed: true } : {}),
        ...(shared?.deferDepartures ? { deferDepartures: true } : {}),
      },
    );
  } finally {
    line?.done();
    idc.close();
    qs.close();
    if (!shared) stores.close();
  }
}
