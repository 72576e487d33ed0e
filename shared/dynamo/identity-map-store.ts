import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { IdcUser, IdentityRecord } from '../domain.js';
import { normalizeEmail } from '../email.js';
import { mergeIdentity } from '../identity-merge.js';
import { BatchWriter, batchGet } from './batch.js';

/**
 * The identity map (table `identities`): IdC userId → person, kept after the user is deleted.
 * It is what resolves a UUID-only DeleteUser event.
 */
export class DynamoIdentityMap {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Upserts one page of users seen in a listing (BatchGet, merge, BatchWrite). */
  async upsertSeen(users: readonly IdcUser[], at: string, runId: string): Promise<void> {
    if (users.length === 0) return;
    const existing = await batchGet(
      this.doc,
      this.table,
      users.map((u) => ({ userId: u.userId })),
    );
    const byId = new Map(existing.map((r) => [r.userId as string, r as unknown as IdentityRecord]));
    const writer = new BatchWriter(this.doc, this.table);
    for (const user of users) {
      const merged = mergeIdentity(byId.get(user.userId), user, at);
      await writer.put({ ...merged, lastSeenRunId: runId });
    }
    await writer.flush();
  }

  /** Upserts one user described after a CreateUser/PutUser/PatchUser event. */
  async upsertOne(user: IdcUser, at: string): Promise<IdentityRecord> {
    const previous = await this.get(user.userId);
    const merged = mergeIdentity(previous, user, at);
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...merged } }));
    return merged;
  }

  async get(userId: string): Promise<IdentityRecord | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { userId } }));
    return out.Item as IdentityRecord | undefined;
  }

  /** Every IdC user id a person has had, by normalised email (GSI byEmail). */
  async findByEmail(email: string): Promise<IdentityRecord[]> {
    const out: IdentityRecord[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'byEmail',
          KeyConditionExpression: 'email = :e',
          ExpressionAttributeValues: { ':e': normalizeEmail(email) },
          ExclusiveStartKey,
        }),
      );
      out.push(...((page.Items ?? []) as IdentityRecord[]));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return out;
  }

  /** Sets `goneAt` once (a DeleteUser event); false when unknown or already gone. */
  async markGone(userId: string, at: string): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { userId },
          UpdateExpression: 'SET goneAt = :at',
          ConditionExpression: 'attribute_exists(userId) AND attribute_not_exists(goneAt)',
          ExpressionAttributeValues: { ':at': at },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * After a COMPLETE listing that started at `listingStartedAt`: every user not seen since then
   * (and not yet gone) is marked gone at `at`. Returns the ids marked.
   */
  async markUnseenGone(listingStartedAt: string, at: string): Promise<string[]> {
    const marked: string[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new ScanCommand({
          TableName: this.table,
          FilterExpression: 'attribute_not_exists(goneAt) AND lastSeen < :start',
          ExpressionAttributeValues: { ':start': listingStartedAt },
          ProjectionExpression: 'userId',
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const userId = item.userId as string;
        try {
          await this.doc.send(
            new UpdateCommand({
              TableName: this.table,
              Key: { userId },
              UpdateExpression: 'SET goneAt = :at',
              ConditionExpression: 'attribute_not_exists(goneAt) AND lastSeen < :start',
              ExpressionAttributeValues: { ':at': at, ':start': listingStartedAt },
            }),
          );
          marked.push(userId);
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return marked;
  }
}
