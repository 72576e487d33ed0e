/**
 * The sandbox of the activity benchmark, in a process of its own: the demo organisation
 * (≈ 2,200 QuickSight users) with `events` QuickSight CloudTrail events in all (default 20,000)
 * behind the LookupEvents stand-in at its real limit (2 calls a second, burst 2). Prints one
 * JSON line `{ env, events, users }`; on a line `stats` on stdin prints the stand-in's counters.
 */
import { createInterface } from 'node:readline';
import { ensureTables } from '../../../services/cli/ensure-tables.js';
import { generateActivity } from '../../../services/sandbox/scenarios/activity.js';
import { demoOrg } from '../../../services/sandbox/scenarios/org.js';
import { startSandbox } from '../../../services/sandbox/start-sandbox.js';
import { createDynamoClient } from '../../../shared/aws/clients.js';

const target = Number(process.argv[2] ?? 20_000);
const now = new Date();
const org = demoOrg();
// The generator adds lapsed users' events, registrations and noise on top of `events`: aim so
// that the total lands on the target.
let events = target;
for (let i = 0; i < 3; i++) {
  const total = generateActivity(org, { now, events, seed: 11 }).records.length;
  events += target - total;
}
const sandbox = await startSandbox({ org, activity: { now, events, seed: 11 } });
const dynamo = createDynamoClient(
  { region: sandbox.org.region, endpoints: { dynamodb: sandbox.dynamo.endpoint } },
  { credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } },
);
await ensureTables(dynamo, 'idsync');
dynamo.destroy();
process.stdout.write(
  `${JSON.stringify({
    env: sandbox.env,
    events: sandbox.cloudTrailState.size,
    users: sandbox.activity.users.length,
    idleReaders: sandbox.activity.idleReaders.length,
  })}\n`,
);
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'stats')
    process.stdout.write(`${JSON.stringify(sandbox.cloudTrail.faults.counters)}\n`);
});
process.stdin.on('end', () => {
  void sandbox.close().then(() => process.exit(0));
});
