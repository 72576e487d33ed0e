import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { NoticeRecord } from '../../shared/notice-rule.js';

/**
 * The notices table (docs/DATA-MODEL.md, `notices`): one item per QuickSight user, the notice of
 * its current idle spell. Every change is conditional on the spell's `noticeId` and state, so two
 * runs never both start a send, and a late writer never overwrites a newer spell:
 *
 * - `begin`: the before-record (`sending`), written only when there is no item or the item is
 *   the previous spell the caller read (closed by activity);
 * - `markSent` / `markRefused` / `abandon` (delete: SES answered that it sent nothing): only
 *   from `sending` of the same notice;
 * - `close`: only a `sent` notice of the same id;
 * - `resolve`: the operator's answer to a `sending` notice.
 */

export class NoticeStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(userKey: string): Promise<NoticeRecord | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { userKey }, ConsistentRead: true }),
    );
    return out.Item as NoticeRecord | undefined;
  }

  /** Every notice, page by page. */
  async *all(): AsyncGenerator<NoticeRecord[]> {
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new ScanCommand({
          TableName: this.table,
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      yield (out.Items ?? []) as NoticeRecord[];
      start = out.LastEvaluatedKey;
    } while (start);
  }

  /**
   * Writes the before-record of a new notice; false when another run got there first (the item
   * is no longer the one `previousId` names, or exists while none was expected).
   */
  async begin(record: NoticeRecord, previousId?: string): Promise<boolean> {
    return conditional(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: record,
          ConditionExpression:
            previousId === undefined
              ? 'attribute_not_exists(userKey)'
              : 'noticeId = :prev AND #s = :closed',
          ...(previousId === undefined
            ? {}
            : {
                ExpressionAttributeNames: { '#s': 'state' },
                ExpressionAttributeValues: { ':prev': previousId, ':closed': 'closed' },
              }),
        }),
      ),
    );
  }

  async markSent(
    userKey: string,
    noticeId: string,
    sent: { messageId: string; sentAt: string },
  ): Promise<boolean> {
    return this.update(userKey, noticeId, 'sending', 'sent', {
      messageId: sent.messageId,
      sentAt: sent.sentAt,
    });
  }

  async markRefused(userKey: string, noticeId: string, reason: string): Promise<boolean> {
    return this.update(userKey, noticeId, 'sending', 'refused', { reason });
  }

  /** Closes a sent notice (the user was active after it). */
  async close(userKey: string, noticeId: string, reason: string, at: string): Promise<boolean> {
    return this.update(userKey, noticeId, 'sent', 'closed', { reason, closedAt: at });
  }

  /**
   * Removes a `sending` before-record after SES answered that it sent nothing (the next run
   * sends the notice again), or on the operator's `--resend`.
   */
  async abandon(userKey: string, noticeId: string): Promise<boolean> {
    return conditional(() =>
      this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { userKey },
          ConditionExpression: 'noticeId = :id AND #s = :sending',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: { ':id': noticeId, ':sending': 'sending' },
        }),
      ),
    );
  }

  private update(
    userKey: string,
    noticeId: string,
    from: NoticeRecord['state'],
    to: NoticeRecord['state'],
    fields: Record<string, string>,
  ): Promise<boolean> {
    const names: Record<string, string> = { '#s': 'state' };
    const values: Record<string, string> = { ':id': noticeId, ':from': from, ':to': to };
    const sets = ['#s = :to'];
    for (const [i, [k, v]] of Object.entries(fields).entries()) {
      names[`#f${i}`] = k;
      values[`:f${i}`] = v;
      sets.push(`#f${i} = :f${i}`);
    }
    return conditional(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { userKey },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'noticeId = :id AND #s = :from',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }
}

async function conditional(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
