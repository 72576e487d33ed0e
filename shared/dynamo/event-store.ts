import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { writeIf } from './batch.js';

export type EventStatus = 'PENDING' | 'PLANNED' | 'DONE' | 'REJECTED';

/** A CloudTrail event as recorded (table `events`). */
export interface EventRow {
  readonly eventId: string;
  readonly eventName: string;
  readonly eventSource: string;
  readonly eventTime: string;
  readonly userId?: string;
  /** Resolved through the identity map (DeleteUser). */
  readonly email?: string;
  readonly status: EventStatus;
  readonly reason?: string;
  readonly receivedAt: string;
  readonly plannedRunId?: string;
}

/** How long an event row is kept for duplicate detection (CloudTrail redelivers within hours). */
const RETENTION_SECONDS = 90 * 86_400;

/** CloudTrail events received, keyed by eventID so a duplicate delivery is processed once. */
export class DynamoEventStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Records an event; 'duplicate' when its eventID was recorded before (nothing written). */
  async record(row: EventRow): Promise<'new' | 'duplicate'> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...row,
            expiresAt: Math.floor(Date.parse(row.receivedAt) / 1000) + RETENTION_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(eventId)',
        }),
      );
      return 'new';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'duplicate';
      throw error;
    }
  }

  /** Whether an event id was recorded before (a dry run's duplicate check; writes nothing). */
  async seen(eventId: string): Promise<boolean> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { eventId }, ConsistentRead: true }),
    );
    return out.Item !== undefined;
  }

  /** Resolved DeleteUser events not yet planned, oldest first (GSI byStatus). */
  async pending(): Promise<EventRow[]> {
    const out: EventRow[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'byStatus',
          KeyConditionExpression: '#s = :s',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': 'PENDING' },
          ExclusiveStartKey,
        }),
      );
      out.push(...((page.Items ?? []) as EventRow[]));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return out;
  }

  /** Marks a pending event as taken into a plan run (once). */
  async markPlanned(eventId: string, runId: string): Promise<boolean> {
    return writeIf(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { eventId },
          UpdateExpression: 'SET #s = :planned, plannedRunId = :run',
          ConditionExpression: '#s = :pending',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':planned': 'PLANNED',
            ':pending': 'PENDING',
            ':run': runId,
          },
        }),
      ),
    );
  }
}
