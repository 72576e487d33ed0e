import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';

/**
 * The cross-run deletion budget (table `guard`): every deletion idsync is about to make, by any
 * command or Lambda, takes one slot in a rolling window; once `limit` slots are taken within the
 * window, further deletions are refused (their tasks become BLOCKED).
 *
 * One item (`pk = deletions`) holds the slots as `{ <task key hash>: <epoch ms> }` and a
 * `version`. A reservation reads the item, drops slots older than the window, and writes it back
 * conditional on the version it read (optimistic concurrency: dynalite has no transactions);
 * on a lost race it reads again. Two concurrent runs therefore can never both take the last slot.
 * A task holds at most one slot per window (its retries in later runs do not take another).
 */

export const GUARD_ITEM_KEY = 'deletions';

export interface GuardWindowUsage {
  /** Slots taken within the window. */
  readonly used: number;
  /** Oldest slot in the window (epoch ms), when any: the window frees a slot after it expires. */
  readonly oldestMs?: number;
}

export type Reservation = 'reserved' | 'held' | 'refused';

interface GuardItem {
  readonly pk: string;
  readonly version: number;
  readonly slots: Record<string, number>;
}

/** Attempts of one reservation against concurrent writers before it gives up (throws). */
const MAX_RACES = 50;

export class DynamoGuardWindow {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly windowMs: number,
  ) {}

  async usage(nowMs: number): Promise<GuardWindowUsage> {
    const item = await this.read();
    const live = liveSlots(item?.slots ?? {}, nowMs - this.windowMs);
    const times = Object.values(live);
    return {
      used: times.length,
      ...(times.length > 0 ? { oldestMs: Math.min(...times) } : {}),
    };
  }

  /**
   * Takes a slot for `taskId` when fewer than `limit` are taken ('reserved'), or when the task
   * already holds one in the window ('held'); otherwise 'refused'. `limit` may be raised for one
   * run by the caller (an explicit operator override).
   */
  async reserve(taskId: string, limit: number, nowMs: number): Promise<Reservation> {
    const key = slotKey(taskId);
    for (let race = 0; race < MAX_RACES; race++) {
      const item = await this.read();
      const slots = liveSlots(item?.slots ?? {}, nowMs - this.windowMs);
      if (slots[key] !== undefined) return 'held';
      if (Object.keys(slots).length >= limit) return 'refused';
      slots[key] = nowMs;
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: { pk: GUARD_ITEM_KEY, version: (item?.version ?? 0) + 1, slots },
            ConditionExpression:
              item === undefined ? 'attribute_not_exists(pk)' : 'version = :version',
            ...(item === undefined
              ? {}
              : { ExpressionAttributeValues: { ':version': item.version } }),
          }),
        );
        return 'reserved';
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // Another run wrote first: wait a little (spread the racers) and read again.
        await new Promise((r) => setTimeout(r, 5 + Math.floor(Math.random() * 20 * (race + 1))));
      }
    }
    throw new Error(`guard window: lost ${MAX_RACES} races for a slot; try again`);
  }

  private async read(): Promise<GuardItem | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: GUARD_ITEM_KEY }, ConsistentRead: true }),
    );
    return out.Item as GuardItem | undefined;
  }
}

/** Slots newer than `sinceMs`. */
function liveSlots(slots: Record<string, number>, sinceMs: number): Record<string, number> {
  return Object.fromEntries(Object.entries(slots).filter(([, t]) => Number(t) > sinceMs));
}

/** 16 hex characters of SHA-256: slot keys stay short whatever the task key's length. */
export function slotKey(taskId: string): string {
  return createHash('sha256').update(taskId).digest('hex').slice(0, 16);
}
