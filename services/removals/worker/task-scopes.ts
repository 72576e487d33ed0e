import type { AssetOwnership } from '../../../shared/aws/quicksight-assets.js';
import type { QuickSightDeleter } from '../../../shared/aws/quicksight-users.js';
import type { Config } from '../../../shared/config/index.js';
import type { Task } from '../../../shared/task.js';
import type { HandOverAssets } from './handover-port.js';
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
 * process and started from the pace that account last served (./account-pacers.ts).
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
