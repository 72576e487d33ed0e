import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTables } from '../../services/cli/ensure-tables.js';
import { type TableNames, tableNames } from '../../shared/tables.js';
import { startTestDynamo } from './dynamo.js';

let counter = 0;

/** A dynalite with idsync's tables under a fresh prefix, and a document client. */
export async function startTestTables(prefix = `t${process.pid}x${counter++}`): Promise<{
  doc: DynamoDBDocumentClient;
  names: TableNames;
  endpoint: string;
  close: () => Promise<void>;
}> {
  const dynamo = await startTestDynamo();
  await ensureTables(dynamo.client, prefix);
  const doc = DynamoDBDocumentClient.from(dynamo.client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { doc, names: tableNames(prefix), endpoint: dynamo.server.endpoint, close: dynamo.close };
}
