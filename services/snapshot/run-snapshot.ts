import type { SnapshotSource } from '../../shared/domain.js';
import type { DynamoIdentityMap } from '../../shared/dynamo/identity-map-store.js';
import type { DynamoLedger } from '../../shared/dynamo/ledger-store.js';
import {
  type DynamoSnapshotStore,
  type SnapshotManifest,
  type SourceSummary,
  snapshotRows,
} from '../../shared/dynamo/snapshot-store.js';
import { normalizeEmail } from '../../shared/email.js';
import { describeError } from '../../shared/errors.js';
import type { MemberSighting } from '../../shared/identity-merge.js';
import type { Logger } from '../../shared/logger.js';
import type { GoogleDirectoryPort, IdentityStorePort, QuickSightPort } from '../../shared/ports.js';
import { newRunId } from '../../shared/run-id.js';

export interface SnapshotDeps {
  readonly google: GoogleDirectoryPort;
  readonly identityStore: IdentityStorePort;
  readonly quickSight: QuickSightPort;
  readonly snapshots: Pick<DynamoSnapshotStore, 'begin' | 'rowWriter' | 'finish' | 'expireOld'>;
  readonly identities: Pick<DynamoIdentityMap, 'upsertSeen' | 'markUnseenGone'>;
  readonly ledger: Pick<DynamoLedger, 'recordMembers'>;
  readonly logger: Logger;
  readonly now?: () => Date;
}

export interface SnapshotOptions {
  /** Configured Google groups whose members are entitled to QuickSight. */
  readonly groups: readonly string[];
  readonly retentionDays: number;
  readonly runId?: string;
}

export interface SnapshotResult {
  readonly manifest: SnapshotManifest;
  /** IdC users first found missing by this COMPLETE listing. */
  readonly goneUserIds: readonly string[];
  readonly ledgerRecorded: number;
  readonly emptyGroups: readonly string[];
  readonly expiredRuns: readonly string[];
  /** Time spent waiting for pages vs. for DynamoDB writes, summed over the three sources. */
  readonly timings: {
    readonly pagingMs: number;
    readonly writingMs: number;
    readonly totalMs: number;
  };
}

interface Timer {
  pagingMs: number;
  writingMs: number;
}

/** Iterates pages, charging the time spent waiting for each page to `timer.pagingMs`. */
async function* timedPages<T>(pages: AsyncIterable<T>, timer: Timer): AsyncIterable<T> {
  const it = pages[Symbol.asyncIterator]();
  for (;;) {
    const started = performance.now();
    const next = await it.next();
    timer.pagingMs += performance.now() - started;
    if (next.done) return;
    yield next.value;
  }
}

async function timed<T>(timer: Timer, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await fn();
  } finally {
    timer.writingMs += performance.now() - started;
  }
}

/**
 * Takes one snapshot: reads every Google group member, IdC user and QuickSight user (the three
 * sources concurrently), streams the rows to DynamoDB as pages arrive, upserts the identity map
 * from every IdC page, and writes the manifest. COMPLETE only when every page of every source
 * was read; then (and only then) users missing from IdC get `goneAt` and the members are recorded
 * in the ledger. A source that fails after its retries makes the snapshot PARTIAL.
 */
export async function runSnapshot(
  deps: SnapshotDeps,
  options: SnapshotOptions,
): Promise<SnapshotResult> {
  const now = deps.now ?? (() => new Date());
  const began = performance.now();
  const startedAt = now().toISOString();
  const runId = options.runId ?? newRunId(now());
  const log = deps.logger.child({ runId });
  const timer: Timer = { pagingMs: 0, writingMs: 0 };
  await deps.snapshots.begin(runId, startedAt);
  log.info({ groups: options.groups.length }, 'snapshot started');

  const writer = deps.snapshots.rowWriter();
  const sightings = new Map<string, { googleId: string; groups: Set<string> }>();

  const readGoogle = async (): Promise<SourceSummary> => {
    const groups: Record<string, number> = {};
    let pages = 0;
    for (const group of options.groups) {
      groups[group] = 0;
      for await (const page of timedPages(deps.google.listMembers(group), timer)) {
        pages++;
        groups[group] += page.length;
        for (const m of page) {
          const email = normalizeEmail(m.email);
          const seen = sightings.get(email) ?? { googleId: m.id, groups: new Set<string>() };
          seen.groups.add(group.toLowerCase());
          sightings.set(email, seen);
        }
        await timed(timer, () =>
          writer.putAll(page.map((m) => snapshotRows.google(runId, group, m))),
        );
      }
    }
    return { count: sightings.size, pages, groups };
  };

  const readIdc = async (): Promise<SourceSummary> => {
    let count = 0;
    let pages = 0;
    for await (const page of timedPages(deps.identityStore.listUsers(), timer)) {
      pages++;
      count += page.length;
      await timed(timer, async () => {
        await deps.identities.upsertSeen(page, now().toISOString(), runId);
        await writer.putAll(page.map((u) => snapshotRows.idc(runId, u)));
      });
    }
    return { count, pages };
  };

  const readQuickSight = async (): Promise<SourceSummary> => {
    let count = 0;
    let pages = 0;
    for await (const page of timedPages(deps.quickSight.listUsers(), timer)) {
      pages++;
      count += page.length;
      await timed(timer, () => writer.putAll(page.map((u) => snapshotRows.quicksight(runId, u))));
    }
    return { count, pages };
  };

  const readers: Record<SnapshotSource, () => Promise<SourceSummary>> = {
    google: readGoogle,
    idc: readIdc,
    quicksight: readQuickSight,
  };
  const entries = Object.entries(readers) as Array<[SnapshotSource, () => Promise<SourceSummary>]>;
  const settled = await Promise.allSettled(entries.map(([, read]) => read()));
  let writeFailure: string | undefined;
  await timed(timer, () => writer.flush()).catch((error: unknown) => {
    writeFailure = `DynamoDB: ${describeError(error)}`;
  });

  const sources: Partial<Record<SnapshotSource, SourceSummary>> = {};
  const failures: string[] = [];
  settled.forEach((result, i) => {
    const source = entries[i]?.[0] as SnapshotSource;
    if (result.status === 'fulfilled') sources[source] = result.value;
    else {
      const error = describeError(result.reason);
      sources[source] = { count: 0, pages: 0, error };
      failures.push(`${source}: ${error}`);
    }
  });
  if (writeFailure) failures.push(writeFailure);
  const emptyGroups = Object.entries(sources.google?.groups ?? {})
    .filter(([, n]) => n === 0)
    .map(([g]) => g);
  if (emptyGroups.length > 0 && failures.length === 0) {
    log.warn(
      { emptyGroups },
      'configured Google group listed no members (recorded; the plan guard decides)',
    );
  }

  const status = failures.length === 0 ? 'COMPLETE' : 'PARTIAL';
  let goneUserIds: string[] = [];
  let ledgerRecorded = 0;
  if (status === 'COMPLETE') {
    const at = now().toISOString();
    goneUserIds = await deps.identities.markUnseenGone(startedAt, at);
    const members: MemberSighting[] = [...sightings].map(([email, s]) => ({
      email,
      googleId: s.googleId,
      groups: [...s.groups],
    }));
    ledgerRecorded = await deps.ledger.recordMembers(members, at, runId);
  }
  const manifest: SnapshotManifest = {
    runId,
    startedAt,
    finishedAt: now().toISOString(),
    status,
    sources,
    ...(failures.length > 0 ? { reason: failures.join('; ') } : {}),
  };
  await deps.snapshots.finish(manifest);
  const expiredRuns =
    status === 'COMPLETE' ? await deps.snapshots.expireOld(options.retentionDays) : [];
  const timings = { ...timer, totalMs: performance.now() - began };
  if (status === 'COMPLETE')
    log.info({ sources, gone: goneUserIds.length, timings }, 'snapshot complete');
  else
    log.error(
      { sources, reason: manifest.reason },
      'snapshot PARTIAL: no decision will be made from it',
    );
  return { manifest, goneUserIds, ledgerRecorded, emptyGroups, expiredRuns, timings };
}
