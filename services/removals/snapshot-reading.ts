import type { QuickSightUser } from '../../shared/domain.js';
import type {
  DynamoSnapshotStore,
  GoogleRow,
  SnapshotManifest,
  SnapshotRows,
} from '../../shared/dynamo/snapshot-store.js';
import { scopedUserKey } from '../../shared/quicksight-user-rules.js';
import { addMemberGroup } from '../../shared/removal-rules.js';
import { loadPlanningState, type PlanningState } from './plan/run-plan.js';
import type { SnapshotView } from './worker/delete-checks.js';

/** What the plan, the worker's checks and the idle selection read of the snapshots table. */
export type SnapshotRowReader = Pick<
  DynamoSnapshotStore,
  'latestComplete' | 'manifests' | 'googleRows' | 'quickSightUsers' | 'keepGroupRows'
>;

/** One source's rows of the held run: read the first time they are asked for, then kept. */
class HeldRows<T> {
  private rows?: Promise<readonly T[]>;

  constructor(given?: readonly T[]) {
    if (given !== undefined) this.rows = Promise.resolve(given);
  }

  async *read(fromStore: () => AsyncIterable<T[]>): AsyncIterable<T[]> {
    if (this.rows === undefined) {
      const reading = collect(fromStore()).catch((error: unknown) => {
        // A failed read is not kept: the next use reads again.
        if (this.rows === reading) this.rows = undefined;
        throw error;
      });
      this.rows = reading;
    }
    yield [...(await this.rows)];
  }
}

/** The newest COMPLETE run, each of its sources read at most once (or handed over). */
interface HeldRun {
  readonly manifest: SnapshotManifest;
  readonly google: HeldRows<GoogleRow>;
  readonly keep: HeldRows<GoogleRow>;
  readonly quickSight: HeldRows<QuickSightUser>;
}

/**
 * The newest COMPLETE snapshot, read once per snapshot run and process: the idle selection
 * selects from it, the plan decides from it and the worker's before-delete checks judge with it.
 * Each use first asks which snapshot is the newest COMPLETE one (one small query); while that is
 * still the run held in memory, its rows (members, keep-group members, QuickSight users: each
 * source read when first needed) are not read again. A snapshot this process has just taken is
 * handed over with the rows it listed (`handOver`, `idsync reconcile`): none of them is read
 * back. A newer COMPLETE snapshot (another process's) is read afresh, as every use did before;
 * older snapshots (the plan's previous one, the idle selection's creation evidence) are read
 * from the store and not held.
 */
export class SnapshotReading {
  private held?: HeldRun;
  private planning?: PlanningState;
  private view?: SnapshotView;

  /**
   * The snapshots table as the selection, the plan and the worker read it: every question about
   * the newest COMPLETE run makes it the held run, and the held run's rows come from memory.
   */
  readonly rows: SnapshotRowReader;

  constructor(private readonly snapshots: SnapshotRowReader) {
    this.rows = {
      latestComplete: (count) => this.newest(count),
      manifests: () => this.manifests(),
      googleRows: (runId) =>
        this.rowsOf(
          runId,
          (held) => held.google,
          () => snapshots.googleRows(runId),
        ),
      keepGroupRows: (runId) =>
        this.rowsOf(
          runId,
          (held) => held.keep,
          () => snapshots.keepGroupRows(runId),
        ),
      quickSightUsers: (runId) =>
        this.rowsOf(
          runId,
          (held) => held.quickSight,
          () => snapshots.quickSightUsers(runId),
        ),
    };
  }

  /**
   * The snapshot this process has just taken, with the rows it listed and stored: the uses that
   * follow read none of them back while it is the newest COMPLETE run.
   */
  handOver(manifest: SnapshotManifest, rows: SnapshotRows): void {
    if (manifest.status !== 'COMPLETE') return;
    this.held = {
      manifest,
      google: new HeldRows(rows.google),
      keep: new HeldRows(rows.keep),
      quickSight: new HeldRows(rows.quickSight),
    };
  }

  /** What the plan decides from; built again only when the two newest runs changed. */
  async forPlan(): Promise<PlanningState> {
    const manifests = await this.newest(2);
    const [latest, previous] = manifests;
    const known = this.planning;
    if (
      known !== undefined &&
      latest !== undefined &&
      known.latest.runId === latest.runId &&
      known.previous?.runId === previous?.runId
    )
      return known;
    this.planning = await loadPlanningState(this.rows, manifests);
    return this.planning;
  }

  /** What the before-delete checks judge with (undefined: no COMPLETE snapshot yet). */
  async forWorker(): Promise<SnapshotView | undefined> {
    const planning = this.planning;
    if (this.view === undefined && planning !== undefined) {
      const [latest] = await this.newest(1);
      if (latest?.runId === planning.latest.runId) {
        this.view = await snapshotViewOf(
          this.rows,
          planning.latest,
          planning.currentMembers,
          planning.quickSightUsers,
          planning.memberGroups,
        );
        return this.view;
      }
    }
    this.view = await loadSnapshotView(this.rows, this.view);
    return this.view;
  }

  /** The newest `count` COMPLETE manifests, newest first; the newest becomes the held run. */
  private async newest(count = 1): Promise<SnapshotManifest[]> {
    const manifests = await this.snapshots.latestComplete(count);
    this.hold(manifests[0]);
    return manifests;
  }

  /** Manifests, newest first; the first COMPLETE one becomes the held run. */
  private async *manifests(): AsyncIterable<SnapshotManifest> {
    let seen = false;
    for await (const m of this.snapshots.manifests()) {
      if (!seen && m.status === 'COMPLETE') {
        seen = true;
        this.hold(m);
      }
      yield m;
    }
  }

  private hold(latest: SnapshotManifest | undefined): void {
    if (latest !== undefined && this.held?.manifest.runId !== latest.runId)
      this.held = {
        manifest: latest,
        google: new HeldRows(),
        keep: new HeldRows(),
        quickSight: new HeldRows(),
      };
  }

  /** One source's rows of a run: the held run's from memory (read the first time), others read. */
  private rowsOf<T>(
    runId: string,
    source: (held: HeldRun) => HeldRows<T>,
    fromStore: () => AsyncIterable<T[]>,
  ): AsyncIterable<T[]> {
    const held = this.held;
    return held?.manifest.runId === runId ? source(held).read(fromStore) : fromStore();
  }
}

async function collect<T>(pages: AsyncIterable<T[]>): Promise<readonly T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...page);
  return out;
}

/** Reads the newest COMPLETE snapshot; `cached` is returned when it is still the newest. */
async function loadSnapshotView(
  snapshots: Omit<SnapshotRowReader, 'manifests'>,
  cached?: SnapshotView,
): Promise<SnapshotView | undefined> {
  const [latest] = await snapshots.latestComplete(1);
  if (!latest) return undefined;
  if (cached?.runId === latest.runId) return cached;
  const members = new Set<string>();
  const memberGroups = new Map<string, string[]>();
  for await (const page of snapshots.googleRows(latest.runId))
    for (const row of page) {
      members.add(row.email);
      addMemberGroup(memberGroups, row);
    }
  const users: QuickSightUser[] = [];
  for await (const page of snapshots.quickSightUsers(latest.runId)) users.push(...page);
  return snapshotViewOf(snapshots, latest, members, users, memberGroups);
}

/**
 * The view of a snapshot whose members and QuickSight users are already in memory (the plan
 * read them): only the keep groups' members are read, and only when the snapshot listed any.
 */
async function snapshotViewOf(
  snapshots: Pick<SnapshotRowReader, 'keepGroupRows'>,
  latest: SnapshotManifest,
  members: ReadonlySet<string>,
  quickSightUsers: readonly QuickSightUser[],
  memberGroups?: ReadonlyMap<string, readonly string[]>,
): Promise<SnapshotView> {
  const users = new Map<string, QuickSightUser>();
  for (const user of quickSightUsers) users.set(scopedUserKey(user), user);
  const keepGroups = latest.sources.google?.keepGroups;
  const keepRows: { group: string; email: string }[] = [];
  if (keepGroups !== undefined)
    for await (const page of snapshots.keepGroupRows(latest.runId))
      for (const r of page) keepRows.push({ group: r.group, email: r.email });
  return {
    runId: latest.runId,
    startedAt: latest.startedAt,
    members,
    ...(memberGroups ? { memberGroups } : {}),
    users,
    ...(keepGroups ? { keepGroups } : {}),
    keepRows,
  };
}
