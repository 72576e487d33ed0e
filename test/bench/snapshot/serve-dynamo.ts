/**
 * Child process of the snapshot benchmark with `--own-dynamo`: a dynalite on its own (in memory,
 * or on LevelDB in the directory given as argv[2]), so DynamoDB does not share an event loop
 * with the IdC, QuickSight and Google stand-ins, as it does not in AWS. Prints its endpoint as
 * one line and serves until stdin closes.
 */
import { startDynamoServer } from '../../../services/sandbox/dynamo-server.js';

const server = await startDynamoServer(process.argv[2] ? { dataDir: process.argv[2] } : {});
process.stdout.write(`${server.endpoint}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await server.close();
  process.exit(0);
});
