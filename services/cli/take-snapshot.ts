import type { Config } from '../../shared/config/index.js';
import {
  buildIdentityStore,
  buildLogger,
  buildQuickSight,
  buildStores,
} from '../../shared/runtime.js';
import { buildGoogle } from '../../shared/runtime-google.js';
import { runSnapshot, type SnapshotResult } from '../snapshot/run-snapshot.js';

/** `idsync snapshot` with real clients built from configuration. */
export async function takeSnapshot(
  config: Pick<Config, 'core' | 'aws' | 'google' | 'identityStore' | 'quicksight' | 'snapshot'>,
): Promise<SnapshotResult> {
  const logger = buildLogger(config);
  const stores = buildStores(config);
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
      },
      { groups: config.google.groups, retentionDays: config.snapshot.retentionDays },
    );
  } finally {
    idc.close();
    qs.close();
    stores.close();
  }
}
