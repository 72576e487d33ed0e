/**
 * Child process of the snapshot benchmark: builds a large organisation (argv: IdC users, Google
 * members, QuickSight users; `--disk` for dynalite on LevelDB in a temporary directory;
 * `--own-dynamo` for dynalite in a process of its own), starts the sandbox on it with the tables
 * created, prints the environment as one JSON line, and serves until stdin closes. Running the
 * stand-ins in their own process keeps their memory out of the snapshot's RSS.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTables } from '../../../services/cli/ensure-tables.js';
import { buildOrg, SMALL_SPEC } from '../../../services/sandbox/scenarios/org.js';
import { startSandbox } from '../../../services/sandbox/start-sandbox.js';

const args = process.argv.slice(2);
const [idcCount = 100_000, googleCount = 100_000, qsCount = 20_000] = args
  .filter((a) => /^\d+$/.test(a))
  .map(Number);
const dataDir = args.includes('--disk') ? mkdtempSync(join(tmpdir(), 'idsync-bench-')) : undefined;
const org = buildOrg({ ...SMALL_SPEC, idcOnly: 0, strangers: 0 }, 1);
const group = org.groupEmails.readers;
for (let i = 0; i < Math.max(idcCount, googleCount, qsCount); i++) {
  const email = `bench.user${i}@example.com`;
  const googleId = `9${String(i).padStart(20, '0')}`;
  if (i < googleCount) {
    org.google.addMember(group, {
      id: googleId,
      email,
      type: 'USER',
      role: 'MEMBER',
      status: 'ACTIVE',
    });
  }
  if (i < idcCount) {
    org.identityStore.createUser({
      userName: email,
      displayName: `Bench User ${i}`,
      emails: [{ value: email, type: 'work', primary: true }],
      externalIds: [{ issuer: 'https://scim.googleapis.com', id: googleId }],
    });
  }
  if (i < qsCount) {
    org.quickSight.register({
      userName: `AWSReservedSSO_QuickSightReader_0123456789abcdef/${email}`,
      email,
      role: 'READER',
      identityType: 'IAM',
      principalId: `federated/iam/AROABENCH:${email}`,
      active: true,
    });
  }
}
const ownDynamo = args.includes('--own-dynamo')
  ? spawn(
      process.execPath,
      ['--import', 'tsx', 'test/bench/snapshot/serve-dynamo.ts', ...(dataDir ? [dataDir] : [])],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    )
  : undefined;
const ownEndpoint = ownDynamo
  ? await new Promise<string>((resolve) =>
      createInterface({ input: ownDynamo.stdout as NodeJS.ReadableStream }).once('line', resolve),
    )
  : undefined;
const sandbox = await startSandbox({ org, ...(dataDir && !ownDynamo ? { dataDir } : {}) });
const endpoint = ownEndpoint ?? sandbox.dynamo.endpoint;
const dynamo = new DynamoDBClient({
  region: org.region,
  endpoint,
  credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
});
await ensureTables(dynamo, 'idsync');
dynamo.destroy();
process.stdout.write(
  `${JSON.stringify({
    env: { ...sandbox.env, AWS_ENDPOINT_URL_DYNAMODB: endpoint },
    counts: {
      idc: org.identityStore.size,
      quicksight: org.quickSight.size,
      google: org.google.listMembers(group, true).length,
    },
  })}\n`,
);
process.stdin.resume();
process.stdin.on('end', async () => {
  await sandbox.close();
  ownDynamo?.stdin?.end();
  if (ownDynamo) await new Promise((resolve) => ownDynamo.once('exit', resolve));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
});
