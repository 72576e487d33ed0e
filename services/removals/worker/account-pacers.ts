import type { DynamoPaceStore } from '../../../shared/dynamo/pace-store.js';
import { describeError } from '../../../shared/errors.js';
import type { Logger } from '../../../shared/logger.js';
import { isRecallable } from './pacing/adaptive-rate.js';
import { createWorkerPacer, type Pacer, type PacerOptions } from './pacing/pacer.js';

/**
 * The worker's QuickSight pacers, one per account (QuickSight's rate limits are the account's),
 * with the rate each measured remembered across runs (shared/dynamo/pace-store.ts):
 *
 * - `recall(accounts)` (before a run) reads the remembered pace of each account that has no
 *   pacer yet; a pacer made afterwards starts from it when it is young enough
 *   (./pacing/adaptive-rate.ts, "Memory across runs"). A read that fails is logged as a warning
 *   and that account's pacer slow-starts, as without memory: the run never fails for it.
 * - `remember()` (after a run) stores each pacer's last *measured* estimate with the time it was
 *   measured, only when it measured again since the last write (slow start alone, or a pace
 *   only remembered, is never stored), so a process writes at most once per measurement (they
 *   are ~10 s apart while a run is throttled at all). A failed write is a warning.
 *
 * Kept for the process (per container in Lambda): a pacer's learned rate carries over between
 * applies of one process, and memory only matters for its first.
 */

type PaceMemory = Pick<DynamoPaceStore, 'recall' | 'remember'>;
type PaceLogger = Pick<Logger, 'info' | 'warn'>;

export class AccountPacers {
  private readonly pacers = new Map<string, Pacer>();
  private readonly recalled = new Map<string, { estimate: number; at: number }>();
  private readonly asked = new Set<string>();
  /** Per account, the measurement time last stored (or found stored) by this process. */
  private readonly stored = new Map<string, number>();

  constructor(
    private readonly memory: PaceMemory,
    private readonly maxRate: number,
    private readonly logger: PaceLogger,
    private readonly wallNow: () => number = Date.now,
    /** Options of every pacer made (tests: a virtual clock, a shorter measurement). */
    private readonly pacerOptions: Omit<PacerOptions, 'maxRate' | 'remembered' | 'wallNow'> = {},
  ) {}

  /** Reads the remembered pace of the accounts that have no pacer and were not asked yet. */
  async recall(accountIds: Iterable<string>): Promise<void> {
    const ask = [...new Set(accountIds)].filter((a) => !this.pacers.has(a) && !this.asked.has(a));
    await Promise.all(
      ask.map(async (accountId) => {
        this.asked.add(accountId);
        try {
          const pace = await this.memory.recall(accountId);
          if (!pace) return;
          this.stored.set(accountId, pace.measuredAt);
          const remembered = { estimate: pace.estimate, at: pace.measuredAt };
          if (isRecallable(remembered, this.wallNow())) this.recalled.set(accountId, remembered);
        } catch (error) {
          this.logger.warn(
            { accountId, error: describeError(error) },
            'could not read the remembered QuickSight pace; the pacer slow-starts',
          );
        }
      }),
    );
  }

  /** The account's pacer, made at the first ask: from its remembered pace when there is one. */
  of(accountId: string): Pacer {
    let pacer = this.pacers.get(accountId);
    if (pacer) return pacer;
    const remembered = this.recalled.get(accountId);
    pacer = createWorkerPacer(this.maxRate, {
      ...this.pacerOptions,
      wallNow: this.wallNow,
      ...(remembered ? { remembered } : {}),
    });
    this.pacers.set(accountId, pacer);
    if (remembered) {
      const { rate, phase } = pacer.stats();
      this.logger.info(
        {
          accountId,
          estimate: round(remembered.estimate),
          ageMs: Math.round(this.wallNow() - remembered.at),
          rate: round(rate),
          phase,
        },
        'pacer starts from the remembered QuickSight pace',
      );
    }
    return pacer;
  }

  /** Stores every pacer's estimate measured since the last write. */
  async remember(): Promise<void> {
    await Promise.all(
      [...this.pacers].map(async ([accountId, pacer]) => {
        const { estimate, measuredAt } = pacer.stats();
        if (estimate === undefined || measuredAt === undefined) return;
        if (measuredAt <= (this.stored.get(accountId) ?? Number.NEGATIVE_INFINITY)) return;
        try {
          const written = await this.memory.remember(accountId, { estimate, measuredAt });
          this.stored.set(accountId, measuredAt);
          this.logger.info(
            {
              accountId,
              estimate: round(estimate),
              measuredAt: new Date(measuredAt).toISOString(),
            },
            written
              ? 'QuickSight pace remembered'
              : 'QuickSight pace not remembered: a newer measurement is stored',
          );
        } catch (error) {
          this.logger.warn(
            { accountId, error: describeError(error) },
            'could not remember the QuickSight pace',
          );
        }
      }),
    );
  }
}

function round(rate: number): number {
  return Math.round(rate * 100) / 100;
}
