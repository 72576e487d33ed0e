import {
  DescribeTableCommand,
  ListTablesCommand,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables } from '../../../services/cli/ensure-tables.js';
import { TABLES } from '../../../shared/tables.js';
import { startTestDynamo } from '../../helpers/dynamo.js';

let dynamo: Awaited<ReturnType<typeof startTestDynamo>>;
beforeAll(async () => {
  dynamo = await startTestDynamo();
});
afterAll(async () => dynamo.close());

async function describeTable(name: string): Promise<TableDescription> {
  const { Table } = await dynamo.client.send(new DescribeTableCommand({ TableName: name }));
  if (!Table) throw new Error(`no table ${name}`);
  return Table;
}

const keys = (t: TableDescription) =>
  Object.fromEntries((t.KeySchema ?? []).map((k) => [k.KeyType, k.AttributeName]));
const indexes = (t: TableDescription) =>
  Object.fromEntries(
    (t.GlobalSecondaryIndexes ?? []).map((i) => [
      i.IndexName,
      Object.fromEntries((i.KeySchema ?? []).map((k) => [k.KeyType, k.AttributeName])),
    ]),
  );

describe('ensureTables against dynalite', () => {
  it('creates every table, then a second run changes nothing', async () => {
    const first = await ensureTables(dynamo.client, 'it');
    expect(first.map((t) => t.action)).toEqual(TABLES.map(() => 'created'));
    const second = await ensureTables(dynamo.client, 'it');
    expect(second.map((t) => t.action)).toEqual(TABLES.map(() => 'existed'));
    const { TableNames } = await dynamo.client.send(new ListTablesCommand({}));
    expect(TableNames?.filter((n) => n.startsWith('it-')).sort()).toEqual([
      'it-activity',
      'it-audit',
      'it-events',
      'it-guard',
      'it-identities',
      'it-ledger',
      'it-notices',
      'it-reviews',
      'it-snapshots',
      'it-tasks',
    ]);
  });

  it('snapshots: pk/sk, newest manifests by byManifest', async () => {
    const t = await describeTable('it-snapshots');
    expect(t.TableStatus).toBe('ACTIVE');
    expect(keys(t)).toEqual({ HASH: 'pk', RANGE: 'sk' });
    expect(indexes(t)).toEqual({ byManifest: { HASH: 'manifestKind', RANGE: 'startedAt' } });
  });

  it('identities: one row per IdC user id, found by email through byEmail', async () => {
    const t = await describeTable('it-identities');
    expect(keys(t)).toEqual({ HASH: 'userId' });
    expect(indexes(t)).toEqual({ byEmail: { HASH: 'email', RANGE: 'userId' } });
  });

  it('ledger: one row per normalised member email', async () => {
    const t = await describeTable('it-ledger');
    expect(keys(t)).toEqual({ HASH: 'email' });
    expect(t.GlobalSecondaryIndexes ?? []).toEqual([]);
  });

  it('events: one row per CloudTrail eventID, pending ones by byStatus', async () => {
    const t = await describeTable('it-events');
    expect(keys(t)).toEqual({ HASH: 'eventId' });
    expect(indexes(t)).toEqual({ byStatus: { HASH: 'status', RANGE: 'receivedAt' } });
  });

  it('tasks: one row per QuickSight user, claimable by byStatus', async () => {
    const t = await describeTable('it-tasks');
    expect(keys(t)).toEqual({ HASH: 'taskId' });
    expect(indexes(t)).toEqual({ byStatus: { HASH: 'status', RANGE: 'createdAt' } });
  });

  it('audit: rows of a run by runId, by email, user id and day through indexes', async () => {
    const t = await describeTable('it-audit');
    expect(keys(t)).toEqual({ HASH: 'runId', RANGE: 'sk' });
    expect(indexes(t)).toEqual({
      byEmail: { HASH: 'email', RANGE: 'at' },
      byUserId: { HASH: 'userId', RANGE: 'at' },
      byDay: { HASH: 'day', RANGE: 'at' },
    });
  });

  it('waits for tables that stay CREATING for a while', async () => {
    const { startDynamoServer } = await import('../../../services/sandbox/dynamo-server.js');
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const slow = await startDynamoServer({ createTableMs: 300 });
    const client = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: slow.endpoint,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    try {
      const [spec] = TABLES;
      if (!spec) throw new Error('no tables');
      await ensureTables(client, 'slow', { specs: [spec], pollMs: 50 });
      expect(
        (await client.send(new DescribeTableCommand({ TableName: 'slow-snapshots' }))).Table
          ?.TableStatus,
      ).toBe('ACTIVE');
    } finally {
      client.destroy();
      await slow.close();
    }
  });
});
