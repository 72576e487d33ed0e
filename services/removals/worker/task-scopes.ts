import type { AssetOwnership } from '../../../shared/aws/quicksight-assets.js';
import type { QuickSightDeleter } from '../../../shared/aws/quicksight-users.js';
import type { Config } from '../../../shared/config/index.js';
import type { DynamoPaceStore } from '../../../shared/dynamo/guard-table-store.js';
import { describeError } from '../../../shared/errors.js';
import type { Logger } from '../../../shared/logger.js';
import type { Task } from '../../../shared/task.js';
import type { HandOverAssets } from './handover-port.js';
import { isRecallable } from './pacing/adaptive-rate.js';
import { createWorkerPacer, type Pacer, type PacerOptions } from './pacing/call-pacing.js';
import { unconfiguredScopeReason } from './task-call.js';
import type { TaskScope, WorkerPacer } from './worker-ports.js';

/**
 * Each task in its own QuickSight scope (`Task.scope`, shared/quicksight-scopes.ts): the scope's
 * deletes and assets in its account (that account's client and role, the task's namespace), one
 * pacer per account, and the configured scopes the check before a call holds a task to.
 */

/** One QuickSight scope's deletes and assets, in its account. */
export interface ScopeClients {
  readonly accountId: string;
  readonly port: QuickSightDeleter;
  readonly assets: AssetOwnership;
}

/** The scope clients of a key (absent: the home scope); undefined: not configured. */
export type ScopedClients = (key: string | undefined) => ScopeClients | undefined;

/** The configured scopes' keys and the home key, for the worker's check before a call. */
export function configuredScopes(config: Pick<Config, 'quicksight'>) {
  const { scopes, namespace } = config.quicksight;
  return {
    keys: new Set(scopes.length > 0 ? scopes.map((s) => s.key) : [namespace]),
    home: namespace,
  };
}

/**
 * Each scope's deletes with its account's pacer: `pacerOf` gives one pacer per QuickSight account
 * (its rate limits are the account's; two namespaces of one account share one), kept for the
 * process and started from the pace that account last served (`AccountPacers` below).
 */
export function scopeRouting(
  quickSight: { readonly scoped?: ScopedClients },
  pacerOf: (accountId: string) => WorkerPacer,
) {
  return {
    of(key: string | undefined): TaskScope | undefined {
      const found = quickSight.scoped?.(key);
      return found ? { quickSight: found.port, pacer: pacerOf(found.accountId) } : undefined;
    },
  };
}

/**
 * WorkerDeps.scopeOf over the routing; `watch` wraps each scope's deletes once (the worker
 * Lambda's batch observer, services/worker/sqs-task-batch.ts).
 */
export function scopeOfTask(
  routing: ReturnType<typeof scopeRouting>,
  watch?: (port: QuickSightDeleter, key: string | undefined) => QuickSightDeleter,
): (task: Task) => TaskScope | undefined {
  const watched = new Map<string, QuickSightDeleter>();
  return (task) => {
    const found = routing.of(task.scope);
    if (!found || !watch) return found;
    let port = watched.get(task.scope ?? '');
    if (!port) {
      port = watch(found.quickSight, task.scope);
      watched.set(task.scope ?? '', port);
    }
    return { ...found, quickSight: port };
  };
}

/**
 * The handover of each scope's tasks, built once per scope: the successor is looked for, and the
 * assets searched and granted, in the task's own account and namespace, paced with that account's
 * deletes. A task whose scope is not configured is deferred (the check before the call holds it
 * first).
 */
export function scopedHandOver(
  quickSight: { readonly assets: AssetOwnership; readonly scoped?: ScopedClients },
  routing: ReturnType<typeof scopeRouting> | undefined,
  homePacer: WorkerPacer,
  home: string,
  build: (assets: AssetOwnership, pacer: WorkerPacer) => HandOverAssets,
): HandOverAssets {
  const built = new Map<string, HandOverAssets>();
  return (task: Task) => {
    const key = task.scope ?? '';
    let handOver = built.get(key);
    if (!handOver) {
      const own = quickSight.scoped?.(task.scope);
      if (quickSight.scoped && !own)
        return Promise.resolve({
          kind: 'deferred' as const,
          reason: unconfiguredScopeReason(task, home),
        });
      handOver = build(
        own?.assets ?? quickSight.assets,
        routing?.of(task.scope)?.pacer ?? homePacer,
      );
      built.set(key, handOver);
    }
    return handOver(task);
  };
}

/**
 * The worker's QuickSight pacers, one per account (QuickSight's rate limits are the account's),
 * with the rate each measured remembered across runs (shared/dynamo/guard-table-store.ts):
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
