import type { DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { AuditKind, StoredAuditRecord } from '../../shared/dynamo/audit-store.js';
import { queryPages } from '../../shared/dynamo/batch.js';

/**
 * The newest run in the audit: GSI byDay read newest first, one day partition at a time, back
 * from today, stopping at the first row of a wanted kind. Never a scan; a busy day costs a page.
 */

export interface NewestRunOptions {
  /** Only runs with rows of these kinds count (e.g. decision and outcome for a report). */
  readonly kinds?: readonly AuditKind[];
  /** How many days back to look, today included: 30. */
  readonly days?: number;
  readonly now?: Date;
}

export interface NewestRun {
  readonly runId: string;
  /** Time of its newest row of a wanted kind. */
  readonly at: string;
}

const PAGE = 100;

export async function findNewestRun(
  doc: DynamoDBDocumentClient,
  table: string,
  options: NewestRunOptions = {},
): Promise<NewestRun | undefined> {
  const now = options.now ?? new Date();
  const kinds = options.kinds ?? [];
  const filter: Pick<QueryCommandInput, 'FilterExpression' | 'ExpressionAttributeNames'> & {
    ExpressionAttributeValues: Record<string, unknown>;
  } =
    kinds.length > 0
      ? {
          FilterExpression: `#kind IN (${kinds.map((_, i) => `:k${i}`).join(', ')})`,
          ExpressionAttributeNames: { '#d': 'day', '#kind': 'kind' },
          ExpressionAttributeValues: Object.fromEntries(kinds.map((k, i) => [`:k${i}`, k])),
        }
      : { ExpressionAttributeNames: { '#d': 'day' }, ExpressionAttributeValues: {} };
  for (let back = 0; back < (options.days ?? 30); back++) {
    const day = new Date(now.getTime() - back * 86_400_000).toISOString().slice(0, 10);
    const pages = queryPages<StoredAuditRecord>(doc, {
      TableName: table,
      IndexName: 'byDay',
      KeyConditionExpression: '#d = :day',
      ScanIndexForward: false,
      Limit: PAGE,
      ...filter,
      ExpressionAttributeValues: { ...filter.ExpressionAttributeValues, ':day': day },
    });
    for await (const page of pages) {
      const row = page[0];
      if (row) return { runId: row.runId, at: row.at };
    }
  }
  return undefined;
}
