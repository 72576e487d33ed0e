import { Writable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { QuickSightClient } from '@aws-sdk/client-quicksight';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTables } from '../../services/cli/ensure-tables.js';
import { runCli } from '../../services/cli/main.js';
import {
  type Sandbox,
  type SandboxOptions,
  startSandbox,
} from '../../services/sandbox/start-sandbox.js';
import { createGoogleDirectory } from '../../services/snapshot/google/google-directory.js';
import { IdentityStoreDirectory } from '../../shared/aws/identity-store-directory.js';
import { QuickSightUsers } from '../../shared/aws/quicksight-users.js';
import { DynamoIdentityMap } from '../../shared/dynamo/identity-map-store.js';
import { DynamoLedger } from '../../shared/dynamo/ledger-store.js';
import { DynamoSnapshotStore } from '../../shared/dynamo/snapshot-store.js';
import { createLogger, type Logger } from '../../shared/logger.js';
import type { BackoffPolicy } from '../../shared/retry.js';
import { tableNames } from '../../shared/tables.js';

/** A fast retry policy for tests: same behaviour, milliseconds instead of seconds. */
export const FAST_RETRY: BackoffPolicy = { baseMs: 2, capMs: 20, maxAttempts: 6 };

const credentials = { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' };

/** A sandbox with the tables created, and the real clients, adapters and stores pointed at it. */
export async function startTestSandbox(options: SandboxOptions = {}) {
  const sandbox = await startSandbox({ tablePrefix: 'idsync', ...options });
  const region = sandbox.org.region;
  const dynamo = new DynamoDBClient({ region, endpoint: sandbox.dynamo.endpoint, credentials });
  await ensureTables(dynamo, 'idsync');
  const doc = DynamoDBDocumentClient.from(dynamo, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const names = tableNames('idsync');
  const idcClient = new IdentitystoreClient({
    region,
    endpoint: sandbox.identityStore.endpoint,
    credentials,
    maxAttempts: 1,
  });
  const qsClient = new QuickSightClient({
    region,
    endpoint: sandbox.quickSight.endpoint,
    credentials,
    maxAttempts: 1,
  });
  const ports = {
    identityStore: new IdentityStoreDirectory(idcClient, sandbox.org.identityStoreId, {
      retry: FAST_RETRY,
    }),
    quickSight: new QuickSightUsers(qsClient, sandbox.org.accountId, sandbox.org.namespace, {
      retry: FAST_RETRY,
    }),
    google: createGoogleDirectory({
      credentialsPath: sandbox.google.credentialsPath,
      subject: sandbox.org.subject,
      rootUrl: sandbox.google.rootUrl,
      retry: FAST_RETRY,
    }),
  };
  const stores = {
    snapshots: new DynamoSnapshotStore(doc, names.snapshots),
    identities: new DynamoIdentityMap(doc, names.identities),
    ledger: new DynamoLedger(doc, names.ledger),
  };
  return {
    sandbox,
    doc,
    names,
    ports,
    stores,
    qsClient,
    close: async () => {
      idcClient.destroy();
      qsClient.destroy();
      dynamo.destroy();
      await sandbox.close();
    },
  };
}

export type TestSandbox = Awaited<ReturnType<typeof startTestSandbox>>;

export function silentLogger(): Logger {
  return createLogger({
    level: 'silent',
    destination: new Writable({ write: (_c, _e, done) => done() }),
  });
}

/** Runs the CLI in-process against a sandbox, capturing its output. */
export async function runCliOn(
  sandbox: Sandbox,
  argv: string[],
  extraEnv: Record<string, string> = {},
) {
  let stdout = '';
  let stderr = '';
  const stream = (onText: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, done) {
        onText(String(chunk));
        done();
      },
    });
  const code = await runCli(argv, {
    stdout: stream((s) => {
      stdout += s;
    }),
    stderr: stream((s) => {
      stderr += s;
    }),
    env: { ...sandbox.env, IDSYNC_LOG_LEVEL: 'silent', ...extraEnv },
  });
  return { code, stdout, stderr };
}

/** Takes a snapshot through the CLI and fails with its output unless it is COMPLETE. */
export async function snapshotOk(sandbox: Sandbox): Promise<void> {
  const result = await runCliOn(sandbox, ['snapshot']);
  if (result.code !== 0) {
    throw new Error(`snapshot exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  }
}
