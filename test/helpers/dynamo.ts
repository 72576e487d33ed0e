import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoServer, startDynamoServer } from '../../services/sandbox/dynamo-server.js';

export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** A dynalite on a free loopback port and a real DynamoDB client pointed at it. */
export async function startTestDynamo(): Promise<{
  server: DynamoServer;
  client: DynamoDBClient;
  close: () => Promise<void>;
}> {
  const server = await startDynamoServer();
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: server.endpoint,
    credentials: TEST_CREDENTIALS,
  });
  return {
    server,
    client,
    close: async () => {
      client.destroy();
      await server.close();
    },
  };
}
