import type { QuickSightUser, SnapshotSource } from '../../shared/domain.js';
import type { DynamoIdentityMap } from '../../shared/dynamo/identity-map-store.js';
import type { DynamoLedger } from '../../shared/dynamo/ledger-store.js';
import {
  type DynamoSnapshotStore,
  type GoogleRow,
  googleRow,
  type SnapshotManifest,
  type SnapshotRows,
  type SourceSummary,
} from '../../shared/dynamo/snapshot-store.js';
import { describeError } from '../../shared/errors.js';
import {
  checkGooglePage,
  checkIdcPage,
  checkQuickSightPage,
  RefusalTally,
} from '../../shared/listing-limits.js';
import type { Logger } from '../../shared/logger.js';
import type { GoogleDirectoryPort, IdentityStorePort, QuickSightPort } from '../../shared/ports.js';
import { scopeKeyOf } from '../../shared/quicksight-scopes.js';
import { readAhead } from '../../shared/read-ahead.js';
import { newRunId } from '../../shared/run-id.js';
import { type Departures, laterDepartures } from './departures.js';
import { countPeople, onePage, storedMembers } from './stored-members.js';

export interface SnapshotDeps {
  readonly google: GoogleDirectoryPort;
  readonly identityStore: IdentityStorePort;
  readonly quickSight: QuickSightPort;
  readonly snapshots: Pick<
    DynamoSnapshotStore,
    'begin' | 'pageWriter' | 'googleRows' | 'finish' | 'expireOld'
  >;
  readonly identities: Pick<DynamoIdentityMap, 'startListing'>;
  readonly ledger: Pick<DynamoLedger, 'recordMembers' | 'stats'>;
  readonly logger: Logger;
  readonly now?: () => Date;
  /** Called after each page a source lists, with the rows of that page (the CLI's progress line). */
  readonly onPage?: (source: SnapshotSource, rows: number) => void;
}

export interface SnapshotOptions {
  /** Configured Google groups whose members are entitled to QuickSight. */
  readonly groups: readonly string[];
  /**
   * IDSYNC_INACTIVE_KEEP_GROUPS: groups whose members are stored apart (`keep` rows) for the idle
   * selection. They make nobody managed and nobody a leaver; one that cannot be read makes the
   * snapshot PARTIAL like any other group.
   */
  readonly keepGroups?: readonly string[];
  readonly retentionDays: number;
  readonly runId?: string;
  /**
   * Keep the rows the plan reads (members, keep-group members, QuickSight users) in memory as
   * they are stored, and return them with a COMPLETE result (`listed`): the process goes on to
   * plan from this snapshot (`idsync reconcile`) and reads none of them back. A few hundred
   * bytes a row: 3.8 MB of heap for 5,000 people in two groups and their 5,000 QuickSight users.
   */
  readonly holdListed?: boolean;
  /**
   * The home QuickSight scope's key (IDSYNC_QUICKSIGHT_NAMESPACE): what users listed without a
   * `scope` are counted under in the summary's per-scope counts.
   */
  readonly quickSightHome?: string;
  /**
   * Leave marking the IdC users this COMPLETE listing did not show gone (`goneAt`) to the caller:
   * the result's `departures.mark()` does it, after the manifest. `idsync reconcile` runs it while
   * its worker works, since neither its plan nor its worker reads the identity map. Safe to leave
   * undone: the listing is recorded as the identity map's newest only after the marks, so until
   * then the map reads as of the listing before, and the next COMPLETE listing marks whoever it
   * does not show either (shared/dynamo/identity-listing.ts, `markUnseenGone`).
   */
  readonly deferDepartures?: boolean;
}

export interface SnapshotResult {
  readonly manifest: SnapshotManifest;
  /** With `holdListed`, a COMPLETE snapshot's rows as stored. */
  readonly listed?: SnapshotRows;
  /** IdC users first found missing by this COMPLETE listing (none yet with `departures`). */
  readonly goneUserIds: readonly string[];
  /** With `deferDepartures`, a COMPLETE listing's gone-marking, not done yet. */
  readonly departures?: Departures;
  readonly ledgerRecorded: number;
  readonly emptyGroups: readonly string[];
  readonly expiredRuns: readonly string[];
  readonly timings: {
    /** Time the three concurrent sources waited for pages, summed. */
    readonly pagingMs: number;
    /** Time the three concurrent sources waited for DynamoDB, summed. */
    readonly writingMs: number;
    /** Wall time until every page of every source was read and stored. */
    readonly listingMs: number;
    /** Wall time after that: goneAt marking, ledger, manifest, expiry. */
    readonly finishingMs: number;
    /** Of finishing (COMPLETE only): marking the unseen IdC users gone, and the ledger (concurrent). */
    readonly goneMs: number;
    readonly ledgerMs: number;
    readonly totalMs: number;
  };
  /** DynamoDB items written, per table (identities: records written or marked gone). */
  readonly itemsWritten: {
    readonly snapshots: number;
    readonly identities: number;
    readonly ledger: number;
  };
}

/** Pages each source reads ahead of the page being stored. */
const READ_AHEAD_PAGES = 4;

interface Timer {
  pagingMs: number;
  writingMs: number;
}

/** Iterates pages read ahead, charging the time spent waiting for each page to `timer.pagingMs`. */
async function* timedPages<T>(pages: AsyncIterable<T>, timer: Timer): AsyncIterable<T> {
  const it = readAhead(pages, READ_AHEAD_PAGES)[Symbol.asyncIterator]();
  for (;;) {
    const started = performance.now();
    const next = await it.next();
    timer.pagingMs += performance.now() - started;
    if (next.done) return;
    yield next.value;
  }
}

/** What each source's listing brought in over its limits, and what was done with it. */
const REFUSED_ACTION: Record<SnapshotSource, string> = {
  google: 'kept as members, not recorded in the ledger',
  idc: 'left out, or stored without the email',
  quicksight: 'stored as listed; the plan never queues a refused user name',
};

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
 * sources concurrently, each a few pages ahead), stores every page as it arrives (one item per
 * page), records the IdC users in the identity map (writing only what changed), and writes the
 * manifest. COMPLETE only when every page of every source was read and stored; then (and only
 * then) users missing from IdC get `goneAt` and the members are recorded in the ledger. A source
 * that fails after its retries makes the snapshot PARTIAL.
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
  log.info(
    { groups: options.groups.length, keepGroups: options.keepGroups?.length ?? 0 },
    'snapshot started',
  );

  const writer = deps.snapshots.pageWriter(runId);
  const refused: Record<SnapshotSource, RefusalTally> = {
    google: new RefusalTally(),
    idc: new RefusalTally(),
    quicksight: new RefusalTally(),
  };
  const listing = deps.identities.startListing(runId, startedAt);
  const held = options.holdListed
    ? { google: [] as GoogleRow[], keep: [] as GoogleRow[], quickSight: [] as QuickSightUser[] }
    : undefined;

  const keepGroups = [...new Set((options.keepGroups ?? []).map((g) => g.toLowerCase()))];
  const readGoogle = async (): Promise<SourceSummary> => {
    const groups: Record<string, number> = {};
    const kept: Record<string, number> = {};
    let pages = 0;
    let rows = 0;
    const configured = new Set(options.groups.map((g) => g.toLowerCase()));
    for (const group of options.groups) {
      groups[group] = 0;
      // A configured group that is also a keep group is listed once, its rows stored twice.
      const keep = keepGroups.includes(group.toLowerCase());
      if (keep) kept[group.toLowerCase()] = 0;
      for await (const page of timedPages(deps.google.listMembers(group), timer)) {
        pages++;
        deps.onPage?.('google', page.length);
        refused.google.add(checkGooglePage(page));
        groups[group] += page.length;
        rows += page.length;
        const stored = page.map((m) => googleRow(group, m));
        held?.google.push(...stored);
        await timed(timer, () => writer.writePage('google', stored));
        if (keep) {
          kept[group.toLowerCase()] = (kept[group.toLowerCase()] ?? 0) + page.length;
          held?.keep.push(...stored);
          await timed(timer, () => writer.writePage('keep', stored));
        }
      }
    }
    for (const group of keepGroups.filter((g) => !configured.has(g))) {
      kept[group] = 0;
      for await (const page of timedPages(deps.google.listMembers(group), timer)) {
        pages++;
        kept[group] = (kept[group] ?? 0) + page.length;
        const stored = page.map((m) => googleRow(group, m));
        held?.keep.push(...stored);
        await timed(timer, () => writer.writePage('keep', stored));
      }
    }
    // Rows listed; the people are counted from the stored pages once they are all stored.
    return { count: rows, pages, groups, ...(keepGroups.length > 0 ? { keepGroups: kept } : {}) };
  };

  const readIdc = async (): Promise<SourceSummary> => {
    let count = 0;
    let pages = 0;
    for await (const listed of timedPages(deps.identityStore.listUsers(), timer)) {
      pages++;
      deps.onPage?.('idc', listed.length);
      // Stored and recorded as checked: no refused id or email becomes a key (`checkIdcUser`).
      const { users: page, refusals } = checkIdcPage(listed);
      refused.idc.add(refusals);
      count += page.length;
      await timed(timer, async () => {
        await writer.writePage('idc', page);
        await listing.recordPage(page, now().toISOString());
      });
    }
    await timed(timer, () => listing.flush());
    return { count, pages };
  };

  const readQuickSight = async (): Promise<SourceSummary> => {
    let count = 0;
    let pages = 0;
    // Users per scope (several QuickSight accounts or namespaces: the rows carry `scope`).
    const scopes: Record<string, number> = {};
    const home = options.quickSightHome ?? '';
    for await (const page of timedPages(deps.quickSight.listUsers(), timer)) {
      pages++;
      deps.onPage?.('quicksight', page.length);
      refused.quicksight.add(checkQuickSightPage(page));
      count += page.length;
      for (const u of page) {
        const key = scopeKeyOf(u, home);
        scopes[key] = (scopes[key] ?? 0) + 1;
      }
      held?.quickSight.push(...page);
      await timed(timer, () => writer.writePage('quicksight', page));
    }
    const several = Object.keys(scopes).some((k) => k !== home);
    return { count, pages, ...(several ? { scopes } : {}) };
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
  const listingMs = performance.now() - began;

  const sources: Partial<Record<SnapshotSource, SourceSummary>> = {};
  const failures: string[] = [];
  settled.forEach((result, i) => {
    const source = entries[i]?.[0] as SnapshotSource;
    const invalid = refused[source].summary();
    if (invalid) {
      log.warn(
        {
          source,
          invalid: invalid.count,
          reasons: invalid.reasons,
          ...(refused[source].userIds.length > 0 ? { userIds: refused[source].userIds } : {}),
        },
        `${source} listed ${invalid.count} values over their limits: ${REFUSED_ACTION[source]}`,
      );
    }
    if (result.status === 'fulfilled')
      sources[source] = { ...result.value, ...(invalid ? { invalid } : {}) };
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
  const finishing = { goneMs: 0, ledgerMs: 0 };
  let goneUserIds: readonly string[] = [];
  let departures: Departures | undefined;
  let ledgerRecorded = 0;
  // The members are read back from the pages just stored, unless they were held in memory
  // (`holdListed`); `count` becomes the number of people (one in two groups is one).
  const google = sources.google;
  if (status === 'COMPLETE') {
    const at = now().toISOString();
    // Two tables, independent of each other: the identity map's gone-marking and the ledger.
    const rows = storedMembers(held ? onePage(held.google) : deps.snapshots.googleRows(runId));
    const clock = performance.now();
    const markGone = (inFlight?: number) =>
      listing.markUnseenGone(at, inFlight).finally(() => {
        finishing.goneMs = performance.now() - clock;
      });
    const [gone, recorded] = await Promise.allSettled([
      options.deferDepartures ? Promise.resolve([]) : markGone(),
      deps.ledger.recordMembers(rows, at, runId).finally(() => {
        finishing.ledgerMs = performance.now() - clock;
      }),
    ]);
    // Both settled before a failure is passed on: no write goes on after the snapshot ended.
    if (gone.status === 'rejected') throw gone.reason;
    if (recorded.status === 'rejected') throw recorded.reason;
    goneUserIds = gone.value;
    ledgerRecorded = recorded.value;
    if (options.deferDepartures) departures = laterDepartures(markGone, log);
    if (google) sources.google = { ...google, count: ledgerRecorded };
  } else {
    // Keep what was seen (seeing a user is a fact), but mark nobody gone from a PARTIAL listing.
    await listing.flush().catch(() => undefined);
    listing.release();
    if (google && !google.error && !writeFailure) {
      const people = await countPeople(deps.snapshots.googleRows(runId)).catch(() => undefined);
      if (people !== undefined) sources.google = { ...google, count: people };
    }
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
  const totalMs = performance.now() - began;
  const timings = { ...timer, listingMs, finishingMs: totalMs - listingMs, ...finishing, totalMs };
  const itemsWritten = {
    snapshots: writer.itemsWritten,
    identities: listing.stats.written + goneUserIds.length,
    ledger: status === 'COMPLETE' ? deps.ledger.stats.bucketsWritten + 1 : 0,
  };
  if (status === 'COMPLETE')
    log.info(
      { sources, gone: goneUserIds.length, timings, itemsWritten, identities: listing.stats },
      'snapshot complete',
    );
  else
    log.error(
      { sources, reason: manifest.reason },
      'snapshot PARTIAL: no decision will be made from it',
    );
  return {
    manifest,
    ...(held && status === 'COMPLETE' ? { listed: held } : {}),
    goneUserIds,
    ...(departures ? { departures } : {}),
    ledgerRecorded,
    emptyGroups,
    expiredRuns,
    timings,
    itemsWritten,
  };
}
