import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ReviewRecord, ReviewStatus } from '../review.js';
import { writeIf } from './batch.js';

/**
 * The reviews table (`reviews`): one record per monthly idle review (shared/review.ts). Every
 * change of status is a conditional write from the status it leaves, so two deciders (the
 * console's approval function and `idsync review reject`) cannot both win.
 */
export class DynamoReviewStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Writes a new review; false when the run id exists (a rerun of the same start). */
  create(review: ReviewRecord): Promise<boolean> {
    return writeIf(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: JSON.parse(JSON.stringify(review)),
          ConditionExpression: 'attribute_not_exists(runId)',
        }),
      ),
    );
  }

  async get(runId: string): Promise<ReviewRecord | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { runId }, ConsistentRead: true }),
    );
    return out.Item as ReviewRecord | undefined;
  }

  /** Every review, newest first (a few a month: a scan is the access pattern). */
  async all(): Promise<ReviewRecord[]> {
    const out: ReviewRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new ScanCommand({
          TableName: this.table,
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      out.push(...((page.Items ?? []) as ReviewRecord[]));
      start = page.LastEvaluatedKey;
    } while (start);
    return out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  }

  /** Stores the Step Functions task token of the review's approval wait (any later call wins). */
  setToken(runId: string, taskToken: string): Promise<boolean> {
    return this.update(runId, 'SET taskToken = :token', 'attribute_exists(runId)', {
      ':token': taskToken,
    });
  }

  /** Stores where the review's report is (a link or a path). */
  setReport(runId: string, field: 'report' | 'finalReport', link: string): Promise<boolean> {
    return this.update(runId, `SET ${field} = :link`, 'attribute_exists(runId)', {
      ':link': link,
    });
  }

  /**
   * Moves the review from one of `from` to `to`, with the fields given; false when it is in
   * none of them (decided already, or unknown).
   */
  transition(
    runId: string,
    from: readonly ReviewStatus[],
    to: ReviewStatus,
    fields: Readonly<Record<string, unknown>> = {},
  ): Promise<boolean> {
    const names = Object.keys(fields);
    const values: Record<string, unknown> = { ':to': to };
    from.forEach((s, i) => {
      values[`:from${i}`] = s;
    });
    names.forEach((n, i) => {
      values[`:v${i}`] = fields[n];
    });
    const sets = ['#s = :to', ...names.map((n, i) => `${n} = :v${i}`)];
    return this.update(
      runId,
      `SET ${sets.join(', ')}`,
      `#s IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
      values,
    );
  }

  private update(
    runId: string,
    expression: string,
    condition: string,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    const usesStatus = expression.includes('#s') || condition.includes('#s');
    return writeIf(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { runId },
          UpdateExpression: expression,
          ConditionExpression: condition,
          ...(usesStatus ? { ExpressionAttributeNames: { '#s': 'status' } } : {}),
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }
}
