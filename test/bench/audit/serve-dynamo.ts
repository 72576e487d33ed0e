/**
 * Child process of the audit benchmark: a dynalite with idsync's tables (prefix `bench`), its
 * endpoint printed as one line; it serves until stdin closes. Its own process keeps the
 * database's memory out of the exporter's RSS.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTables } from '../../../services/cli/ensure-tables.js';
import { startDynamoServer } from '../../../services/sandbox/dynamo-server.js';

const server = await startDynamoServer();
const client = new DynamoDBClient({
  region: 'us-east-1',
  endpoint: server.endpoint,
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
});
await ensureTables(client, 'bench');
client.destroy();
process.stdout.write(`${server.endpoint}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void server.close().then(() => process.exit(0));
});
