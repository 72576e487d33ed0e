import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { writeIf } from './batch.js';

/**
 * The `guard` table: the cross-run deletion budget and the worker's remembered QuickSight pace.
 */

/**
 * The cross-run deletion budget (table `guard`): every deletion idsync is about to make, by any
 * command or Lambda, takes one slot in a rolling window; once `limit` slots are taken within the
 * window, further deletions are refused (their tasks become BLOCKED).
 *
 * One item (`pk = deletions`) holds the slots as one string `<task key hash>:<epoch ms>,…` and
 * a `version` (a string, not a map of ~1,000 attributes: the item is read and rewritten whole at
 * every group of reservations, and a map that size cost ~40 ms a write on dynalite; items
 * written as a map `{ <hash>: <epoch ms> }` are still read). A reservation reads the item, drops slots older than the window, and writes it back
 * conditional on the version it read (optimistic concurrency: dynalite has no transactions);
 * on a lost race it reads again. Two concurrent runs therefore can never both take the last slot.
 * A task holds at most one slot per window (its retries in later runs do not take another).
 *
 * Within one process the reservations are committed in groups: calls made while a write is in
 * flight wait for it and are then decided together, in call order, against one fresh read and
 * written back in one conditional put. A worker with many deletions in flight therefore does not
 * race itself for the one item (which cost a read-modify-write round per racer and, at a few
 * hundred deletions, lost races outright); the races left are between processes.
 */

export const GUARD_ITEM_KEY = 'deletions';

export interface GuardWindowUsage {
  /** Slots taken within the window. */
  readonly used: number;
  /** Oldest slot in the window (epoch ms), when any: the window frees a slot after it expires. */
  readonly oldestMs?: number;
}

export type Reservation = 'reserved' | 'held' | 'refused';

interface PendingReservation {
  readonly key: string;
  readonly limit: number;
  readonly nowMs: number;
  readonly resolve: (answer: Reservation) => void;
  readonly reject: (error: unknown) => void;
}

interface GuardItem {
  readonly pk: string;
  readonly version: number;
  /** `<hash>:<epoch ms>` joined by commas; a map in items written before. */
  readonly slots?: string | Record<string, number>;
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
    const live = decodeSlots(item?.slots, nowMs - this.windowMs);
    const times = Object.values(live);
    return {
      used: times.length,
      ...(times.length > 0 ? { oldestMs: Math.min(...times) } : {}),
    };
  }

  /** Reservations waiting for the next group write, in call order. */
  private waiting: PendingReservation[] = [];
  private writing = false;

  /**
   * Takes a slot for `taskId` when fewer than `limit` are taken ('reserved'), or when the task
   * already holds one in the window ('held'); otherwise 'refused'. `limit` may be raised for one
   * run by the caller (an explicit operator override).
   */
  reserve(taskId: string, limit: number, nowMs: number): Promise<Reservation> {
    return new Promise<Reservation>((resolve, reject) => {
      this.waiting.push({ key: slotKey(taskId), limit, nowMs, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  /** Writes the waiting reservations in groups until none is left. */
  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting;
        this.waiting = [];
        try {
          const answers = await this.commit(group);
          for (const [i, r] of group.entries()) r.resolve(answers[i] as Reservation);
        } catch (error) {
          for (const r of group) r.reject(error);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  /** Decides a group against one read and writes it back; on a lost race, reads again. */
  private async commit(group: readonly PendingReservation[]): Promise<Reservation[]> {
    for (let race = 0; race < MAX_RACES; race++) {
      const item = await this.read();
      // The group's earliest time decides which slots are still live (the others are within
      // milliseconds of it; keeping a slot a moment longer only errs towards refusing).
      const earliest = Math.min(...group.map((r) => r.nowMs));
      const slots = decodeSlots(item?.slots, earliest - this.windowMs);
      let used = Object.keys(slots).length;
      let changed = false;
      const answers = group.map((r): Reservation => {
        if (slots[r.key] !== undefined) return 'held';
        if (used >= r.limit) return 'refused';
        slots[r.key] = r.nowMs;
        used++;
        changed = true;
        return 'reserved';
      });
      if (!changed) return answers;
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              pk: GUARD_ITEM_KEY,
              version: (item?.version ?? 0) + 1,
              slots: encodeSlots(slots),
            },
            ConditionExpression:
              item === undefined ? 'attribute_not_exists(pk)' : 'version = :version',
            ...(item === undefined
              ? {}
              : { ExpressionAttributeValues: { ':version': item.version } }),
          }),
        );
        return answers;
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

/**
 * The stored slots newer than `sinceMs` (all when omitted) as a map, from the string
 * `<hash>:<ms>,…` or (items written before) a map.
 */
export function decodeSlots(
  stored: GuardItem['slots'],
  sinceMs = Number.NEGATIVE_INFINITY,
): Record<string, number> {
  const out: Record<string, number> = {};
  if (stored === undefined || stored === '') return out;
  if (typeof stored !== 'string') {
    for (const [key, ms] of Object.entries(stored)) if (Number(ms) > sinceMs) out[key] = Number(ms);
    return out;
  }
  let start = 0;
  while (start < stored.length) {
    const comma = stored.indexOf(',', start);
    const end = comma < 0 ? stored.length : comma;
    const colon = stored.indexOf(':', start);
    if (colon > start && colon < end) {
      const ms = Number(stored.slice(colon + 1, end));
      if (ms > sinceMs) out[stored.slice(start, colon)] = ms;
    }
    start = end + 1;
  }
  return out;
}

export function encodeSlots(slots: Readonly<Record<string, number>>): string {
  return Object.entries(slots)
    .map(([key, ms]) => `${key}:${ms}`)
    .join(',');
}

/** 16 hex characters of SHA-256: slot keys stay short whatever the task key's length. */
export function slotKey(taskId: string): string {
  return createHash('sha256').update(taskId).digest('hex').slice(0, 16);
}

/**
 * The worker's remembered QuickSight pace (table `guard`, beside the deletion budget: both are
 * the worker's state across runs): per QuickSight account, the last rate R the worker's pacer
 * measured (services/removals/worker/pacing/adaptive-rate.ts) and when. The next run's pacer of
 * that account starts from it instead of slow start (services/removals/worker/task-scopes.ts).
 *
 * One item per account, `pk = pace#<account id>`. A write is conditional on being newer than the
 * stored measurement, so of two workers that end at once the later measurement stays, whichever
 * writes last.
 */

const PACE_KEY_PREFIX = 'pace#';

/** The write's condition: nothing stored yet, or a measurement older than this one (`:at`). */
const NEWER_MEASUREMENT = 'attribute_not_exists(measuredAt) OR measuredAt < :at';

/** A measured rate of an account's QuickSight API. */
export interface MeasuredPace {
  /** Calls per second QuickSight served (the pacer's estimate of R). */
  readonly estimate: number;
  /** When it was measured, epoch ms. */
  readonly measuredAt: number;
}

interface PaceItem {
  readonly pk: string;
  readonly estimate?: unknown;
  readonly measuredAt?: unknown;
}

export class DynamoPaceStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** The account's last measured pace; undefined when none is stored (or the item is unusable). */
  async recall(accountId: string): Promise<MeasuredPace | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: paceKey(accountId) } }),
    );
    const item = out.Item as PaceItem | undefined;
    const { estimate, measuredAt } = item ?? {};
    if (typeof estimate !== 'number' || typeof measuredAt !== 'number') return undefined;
    if (!(estimate > 0) || !Number.isFinite(measuredAt)) return undefined;
    return { estimate, measuredAt };
  }

  /**
   * Stores `pace` for the account unless a measurement as new or newer is stored: true when
   * written, false when a newer one was kept.
   */
  async remember(accountId: string, pace: MeasuredPace): Promise<boolean> {
    return writeIf(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: paceKey(accountId), estimate: pace.estimate, measuredAt: pace.measuredAt },
          ConditionExpression: NEWER_MEASUREMENT,
          ExpressionAttributeValues: { ':at': pace.measuredAt },
        }),
      ),
    );
  }
}

/** The item key of an account's pace: `pace#<account id>` (the budget's is `deletions`). */
export function paceKey(accountId: string): string {
  return `${PACE_KEY_PREFIX}${accountId}`;
}
