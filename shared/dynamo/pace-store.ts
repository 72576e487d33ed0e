import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { writeIf } from './batch.js';

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
