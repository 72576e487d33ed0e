import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { IdcUser, IdentityRecord } from '../domain.js';
import { normalizeEmail } from '../email.js';
import { identityView, mergeIdentity } from '../identity-merge.js';
import { batchGet, queryPages, writeIf } from './batch.js';
import {
  fromIdentityItem,
  IdentityListing,
  LISTING_STATE_KEY,
  latestListing,
  toIdentityItem,
  toListingRun,
} from './identity-listing.js';

export interface IdentityMapOptions {
  /** Segments of the parallel Scan a listing loads the map with. */
  readonly scanSegments?: number;
}

/**
 * The identity map (table `identities`): IdC userId → person, kept after the user is deleted.
 * It is what resolves a UUID-only DeleteUser event.
 */
export class DynamoIdentityMap {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly options: IdentityMapOptions = {},
  ) {}

  /**
   * Starts recording an IdC listing that started at `listingStartedAt` (loads the map's index
   * in the background): feed it every page, and after a COMPLETE listing mark the unseen gone.
   */
  startListing(runId: string, listingStartedAt: string): IdentityListing {
    return new IdentityListing(this.doc, this.table, {
      runId,
      listingStartedAt,
      scanSegments: this.options.scanSegments ?? 2,
    });
  }

  /**
   * Upserts one user described after a CreateUser/PutUser/PatchUser event (at a time `at`
   * after any listing that already showed the user, so `lastSeen` becomes `at`).
   */
  async upsertOne(user: IdcUser, at: string): Promise<IdentityRecord> {
    const previous = await this.get(user.userId);
    const merged = mergeIdentity(previous, user, at);
    await this.doc.send(new PutCommand({ TableName: this.table, Item: toIdentityItem(merged) }));
    return merged;
  }

  /** The record of an IdC user id (also after the user is gone); one round trip. */
  async get(userId: string): Promise<IdentityRecord | undefined> {
    if (userId === LISTING_STATE_KEY) return undefined;
    const items = await batchGet(this.doc, this.table, [{ userId }, { userId: LISTING_STATE_KEY }]);
    const state = items.find((i) => i.userId === LISTING_STATE_KEY);
    const item = items.find((i) => i.userId === userId);
    return item ? identityView(fromIdentityItem(item), state && toListingRun(state)) : undefined;
  }

  /** Every IdC user id a person has had, by normalised email (GSI byEmail). */
  async findByEmail(email: string): Promise<IdentityRecord[]> {
    const out: IdentityRecord[] = [];
    const pages = queryPages(this.doc, {
      TableName: this.table,
      IndexName: 'byEmail',
      KeyConditionExpression: 'email = :e',
      ExpressionAttributeValues: { ':e': normalizeEmail(email) },
    });
    for await (const page of pages) out.push(...page.map(fromIdentityItem));
    const latest = out.length > 0 ? await latestListing(this.doc, this.table) : undefined;
    return out.map((r) => identityView(r, latest));
  }

  /** Sets `goneAt` once (a DeleteUser event); false when unknown or already gone. */
  async markGone(userId: string, at: string): Promise<boolean> {
    if (userId === LISTING_STATE_KEY) return false;
    const update = new UpdateCommand({
      TableName: this.table,
      Key: { userId },
      UpdateExpression: 'SET goneAt = :at',
      ConditionExpression: 'attribute_exists(userId) AND attribute_not_exists(goneAt)',
      ExpressionAttributeValues: { ':at': at },
    });
    return writeIf(this.doc.send(update));
  }
}
