import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { RemoteServiceError } from '../../shared/errors.js';
import { createTableInput, TABLES, type TableSpec } from '../../shared/tables.js';

export interface EnsuredTable {
  readonly name: string;
  readonly action: 'created' | 'existed';
}

export interface EnsureTablesOptions {
  readonly specs?: readonly TableSpec[];
  /** How long to wait for a table to become ACTIVE. */
  readonly timeoutMs?: number;
  readonly pollMs?: number;
}

/**
 * Creates every missing table and waits until each is ACTIVE. Idempotent: existing tables are
 * left as they are (a second run changes nothing).
 */
export async function ensureTables(
  client: DynamoDBClient,
  prefix: string,
  options: EnsureTablesOptions = {},
): Promise<EnsuredTable[]> {
  const specs = options.specs ?? TABLES;
  const results: EnsuredTable[] = [];
  for (const spec of specs) {
    const input = createTableInput(prefix, spec);
    const name = input.TableName as string;
    let action: EnsuredTable['action'] = 'existed';
    if (!(await tableExists(client, name))) {
      try {
        await client.send(new CreateTableCommand(input));
        action = 'created';
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw wrap(name, error);
      }
    }
    await waitUntilActive(client, name, options.timeoutMs ?? 60_000, options.pollMs ?? 100);
    results.push({ name, action });
  }
  return results;
}

async function tableExists(client: DynamoDBClient, name: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: name }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw wrap(name, error);
  }
}

async function waitUntilActive(
  client: DynamoDBClient,
  name: string,
  timeoutMs: number,
  pollMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every(
      (i) => i.IndexStatus === 'ACTIVE',
    );
    if (Table?.TableStatus === 'ACTIVE' && indexesActive) return;
    if (Date.now() > deadline) {
      throw new RemoteServiceError('DynamoDB', `table ${name} not ACTIVE after ${timeoutMs} ms`, {
        retryable: true,
      });
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

function wrap(name: string, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  return new RemoteServiceError('DynamoDB', `${name}: ${message}`, {
    cause: error,
    retryable: true,
  });
}
