import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  createDocumentClient,
  createDynamoClient,
  createIdentityStoreClient,
} from './aws/clients.js';
import { IdentityStoreDirectory } from './aws/identity-store-directory.js';
import { quickSightScopeClients, scopedClients } from './aws/quicksight-users.js';
import { type Config, guardWindowMs, type PlanConfig } from './config/index.js';
import { DynamoAuditLog } from './dynamo/audit-store.js';
import { DynamoEventStore } from './dynamo/event-store.js';
import { DynamoGuardWindow } from './dynamo/guard-table-store.js';
import { DynamoIdentityMap } from './dynamo/identity-map-store.js';
import { DynamoLedger } from './dynamo/ledger-store.js';
import { DynamoSnapshotStore } from './dynamo/snapshot-store.js';
import { DynamoTaskStore } from './dynamo/task-store.js';
import { describeError } from './errors.js';
import { createLogger, type Logger } from './logger.js';
import { type TableNames, tableNames } from './tables.js';

/**
 * The real clients and adapters, built from configuration. Only the CLI and the Lambda handlers
 * build these; jobs receive them as ports.
 */

export interface Stores {
  readonly dynamo: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  readonly names: TableNames;
  readonly snapshots: DynamoSnapshotStore;
  readonly identities: DynamoIdentityMap;
  readonly ledger: DynamoLedger;
  readonly events: DynamoEventStore;
  readonly tasks: DynamoTaskStore;
  readonly audit: DynamoAuditLog;
  close(): void;
}

export function buildStores(config: Pick<Config, 'core' | 'aws'>): Stores {
  const dynamo = createDynamoClient(config.aws);
  const doc = createDocumentClient(dynamo);
  const names = tableNames(config.core.tablePrefix);
  return {
    dynamo,
    doc,
    names,
    snapshots: new DynamoSnapshotStore(doc, names.snapshots),
    identities: new DynamoIdentityMap(doc, names.identities),
    ledger: new DynamoLedger(doc, names.ledger),
    events: new DynamoEventStore(doc, names.events),
    tasks: new DynamoTaskStore(doc, names.tasks),
    audit: new DynamoAuditLog(doc, names.audit),
    close: () => dynamo.destroy(),
  };
}

/** The cross-run guard window of IDSYNC_GUARD_WINDOW_HOURS on the stores' `guard` table. */
export function buildGuardWindow(
  stores: Pick<Stores, 'doc' | 'names'>,
  plan: Pick<PlanConfig, 'guardWindowHours'>,
): DynamoGuardWindow {
  return new DynamoGuardWindow(stores.doc, stores.names.guard, guardWindowMs(plan));
}

/**
 * The CLI's logger: pretty at the terminal level (`warn` unless IDSYNC_LOG_LEVEL says otherwise)
 * when stderr is a terminal, JSON records at `info` otherwise.
 */
export function buildLogger(
  config: Pick<Config, 'core'>,
  terminal = process.stderr.isTTY === true,
): Logger {
  const level = terminal ? config.core.terminalLogLevel : config.core.logLevel;
  return createLogger({ level, color: config.core.color, pretty: terminal });
}

export function buildIdentityStore(config: Pick<Config, 'aws' | 'identityStore'>, logger: Logger) {
  const region = config.identityStore.region ?? config.aws.region;
  const client = createIdentityStoreClient(config.aws, {}, region);
  const port = new IdentityStoreDirectory(client, config.identityStore.identityStoreId, {
    endpoint: config.aws.endpoints.identitystore ?? `https://identitystore.${region}.amazonaws.com`,
    onRetry: (e) => logger.warn(retryRecord(e), 'IdentityStore call retried'),
  });
  return { port, close: () => client.destroy() };
}

/**
 * The QuickSight adapters of every configured scope (shared/aws/quicksight-users.ts):
 * `port` lists them all (its writes are the home scope's), `scoped(key)` is one scope's deletes
 * and assets, in its account (what the worker calls each task through).
 */
export function buildQuickSight(config: Pick<Config, 'aws' | 'quicksight'>, logger: Logger) {
  const settings = {
    endpoint:
      config.aws.endpoints.quicksight ??
      `https://quicksight.${config.quicksight.region}.amazonaws.com`,
    onRetry: (e: Parameters<typeof retryRecord>[0]) =>
      logger.warn(retryRecord(e), 'QuickSight call retried'),
  };
  const scopes = quickSightScopeClients(config, settings);
  return {
    port: scopes.users,
    assets: scopes.home.assets,
    scopes,
    scoped: (key: string | undefined) => scopedClients(scopes, key),
    close: () => scopes.close(),
  };
}

function retryRecord(e: { operation: string; attempt: number; delayMs: number; error: unknown }) {
  return {
    operation: e.operation,
    attempt: e.attempt,
    delayMs: Math.round(e.delayMs),
    error: describeError(e.error),
  };
}
