import {
  buildIdentityStore,
  buildQuickSight,
  buildStores,
} from '../../shared/clients-from-config.js';
import type { ConfigFor, Env } from '../../shared/config/index.js';
import type { SnapshotStatus } from '../../shared/domain.js';
import { UsageError } from '../../shared/errors.js';
import { writeLambdaGoogleKey } from '../../shared/google/lambda-google-key.js';
import type { SecretReader } from '../../shared/google/secrets-extension.js';
import { type LambdaOptions, lambdaHandler } from '../../shared/lambda/lambda-handler.js';
import type { Logger } from '../../shared/logger.js';
import { buildGoogle } from './google/runtime-google.js';
import { runSnapshot, type SnapshotDeps } from './run-snapshot.js';

/**
 * The snapshot Lambda: wiring only. On the first invocation of a container it loads the
 * configuration, fetches the Google key from Secrets Manager (through the AWS Parameters and
 * Secrets Lambda Extension, which may only be called during an invocation), writes it once to
 * IDSYNC_GOOGLE_CREDENTIALS with mode 0600, and builds the clients; every invocation then runs
 * `runSnapshot` and emits the PartialSnapshot metric (EMF). Its return value is the
 * `responsePayload` the plan function receives through the on-success destination.
 */

const SECTIONS = [
  'google',
  'identityStore',
  'quicksight',
  'snapshot',
  'inactive',
  'lambda',
] as const;
type SnapshotConfig = ConfigFor<(typeof SECTIONS)[number]>;

/** What invoked the snapshot: the EventBridge schedule, or a person (`{}` from the console). */
export interface SnapshotTrigger {
  readonly kind: 'schedule' | 'manual';
  readonly eventId?: string;
  readonly time?: string;
}

/** Accepts an EventBridge "Scheduled Event" or an empty object; anything else is a UsageError. */
export function parseSnapshotTrigger(event: unknown): SnapshotTrigger {
  if (event === undefined || event === null) return { kind: 'manual' };
  if (typeof event !== 'object' || Array.isArray(event)) {
    throw new UsageError('snapshot event must be an EventBridge scheduled event or {}');
  }
  const e = event as Record<string, unknown>;
  if (e['detail-type'] === undefined && e.source === undefined) return { kind: 'manual' };
  if (e['detail-type'] !== 'Scheduled Event' || e.source !== 'aws.events') {
    throw new UsageError(
      `snapshot event is not an EventBridge scheduled event (detail-type ${JSON.stringify(e['detail-type'])}, source ${JSON.stringify(e.source)})`,
    );
  }
  return {
    kind: 'schedule',
    ...(typeof e.id === 'string' ? { eventId: e.id } : {}),
    ...(typeof e.time === 'string' ? { time: e.time } : {}),
  };
}

export interface SnapshotHandlerDeps extends LambdaOptions {
  /** @default the Parameters and Secrets extension on SECRETS_EXTENSION_PORT */
  readonly secrets?: SecretReader;
}

/** The container's ports: the Google key is fetched and written before they are made. */
async function buildDeps(
  config: SnapshotConfig,
  logger: Logger,
  options: SnapshotHandlerDeps,
): Promise<SnapshotDeps> {
  await writeLambdaGoogleKey(config, options.secrets);
  const stores = buildStores(config);
  return {
    google: buildGoogle(config, logger),
    identityStore: buildIdentityStore(config, logger).port,
    quickSight: buildQuickSight(config, logger).port,
    snapshots: stores.snapshots,
    identities: stores.identities,
    ledger: stores.ledger,
    logger,
  };
}

/** The handler's answer: small (it travels in the destination record to the plan). */
export interface SnapshotSummary {
  readonly runId: string;
  readonly status: SnapshotStatus;
  readonly reason?: string;
  readonly counts: Readonly<Record<string, number>>;
  readonly gone: number;
  readonly ledgerRecorded: number;
  readonly emptyGroups: readonly string[];
}

/**
 * Builds the handler; `env` is the Lambda's environment, passed in at the edge (below). The
 * container (config, key file, clients) is made by the shared wrapper (shared/lambda/
 * lambda-handler.ts) on the first invocation and reused.
 */
export function createSnapshotHandler(env: Env, options: SnapshotHandlerDeps = {}) {
  return lambdaHandler(
    {
      name: 'snapshot',
      sections: SECTIONS,
      parse: parseSnapshotTrigger,
      build: (config, logger) => buildDeps(config, logger, options),
      run: async (trigger, { config, deps, logger, metrics }): Promise<SnapshotSummary> => {
        const result = await runSnapshot(
          { ...deps, logger },
          {
            groups: config.google.groups,
            keepGroups: config.inactive.keepGroups,
            retentionDays: config.snapshot.retentionDays,
            quickSightHome: config.quicksight.namespace,
          },
        );
        const m = result.manifest;
        metrics(
          { PartialSnapshot: m.status === 'PARTIAL' ? 1 : 0 },
          { trigger, runId: m.runId },
          'snapshot metrics',
        );
        return {
          runId: m.runId,
          status: m.status,
          ...(m.reason ? { reason: m.reason } : {}),
          counts: Object.fromEntries(Object.entries(m.sources).map(([s, v]) => [s, v?.count ?? 0])),
          gone: result.goneUserIds.length,
          ledgerRecorded: result.ledgerRecorded,
          emptyGroups: result.emptyGroups,
        };
      },
    },
    env,
    options,
  );
}

/** The Lambda entry point (`index.handler`). The handler edge is where the environment is read. */
export const handler = createSnapshotHandler(process.env);
