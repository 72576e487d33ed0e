import { loadPlanningState, type PlanDeps, type PlanningState } from './plan/run-plan.js';
import {
  loadSnapshotView,
  type SnapshotReader,
  type SnapshotView,
  snapshotViewOf,
} from './worker/delete-checks.js';

/**
 * The newest COMPLETE snapshot, read once per snapshot run and process: the plan decides from
 * it and the worker's before-delete checks judge with it. Each use first asks which snapshot is
 * the newest COMPLETE one (one small query); while that is still the one in memory, its rows
 * are not read again (in `reconcile`, the plan's reading serves the worker too). A newer
 * COMPLETE snapshot (another process's) is read afresh, as every use did before.
 */
export class SnapshotReading {
  private planning?: PlanningState;
  private view?: SnapshotView;

  constructor(private readonly snapshots: PlanDeps['snapshots'] & SnapshotReader) {}

  /** What the plan decides from; rows read only when the two newest runs changed. */
  async forPlan(): Promise<PlanningState> {
    const manifests = await this.snapshots.latestComplete(2);
    const [latest, previous] = manifests;
    const known = this.planning;
    if (
      known !== undefined &&
      latest !== undefined &&
      known.latest.runId === latest.runId &&
      known.previous?.runId === previous?.runId
    )
      return known;
    this.planning = await loadPlanningState(this.snapshots, manifests);
    return this.planning;
  }

  /** What the before-delete checks judge with (undefined: no COMPLETE snapshot yet). */
  async forWorker(): Promise<SnapshotView | undefined> {
    const planning = this.planning;
    if (this.view === undefined && planning !== undefined) {
      const [latest] = await this.snapshots.latestComplete(1);
      if (latest?.runId === planning.latest.runId) {
        this.view = await snapshotViewOf(
          this.snapshots,
          planning.latest,
          planning.currentMembers,
          planning.quickSightUsers,
          planning.memberGroups,
        );
        return this.view;
      }
    }
    this.view = await loadSnapshotView(this.snapshots, this.view);
    return this.view;
  }
}
