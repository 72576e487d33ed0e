import { activityKey, activityUserName } from '../../../shared/activity-record.js';
import {
  mustHandOverAsset,
  otherOwners,
  quickSightUserOf,
} from '../../../shared/asset-orphan-rule.js';
import { ownedCountsText } from '../../../shared/asset-owner-actions.js';
import {
  type AssetSuccessor,
  type CandidateUser,
  noSuccessorReason,
  successorCandidates,
  successorProblem,
} from '../../../shared/asset-successor.js';
import type {
  AssetOwnership,
  OwnedAsset,
  SharedAsset,
} from '../../../shared/aws/quicksight-assets.js';
import type { Decision } from '../../../shared/domain.js';
import type { DynamoActivityStore } from '../../../shared/dynamo/activity-store.js';
import type { ManagerLookup } from '../../../shared/google/google-managers.js';
import { scopeKey, scopeKeyOf } from '../../../shared/quicksight-scopes.js';
import { canOwnAssets, mayStillOwnAssets, needsHandover } from '../../../shared/removal-rules.js';
import { type Task, taskIdFor } from '../../../shared/task.js';
import type { SnapshotReading } from '../snapshot-reading.js';

/**
 * Planning a handover, before any grant: who takes a departing user's assets over (the successor),
 * which shared assets are left without a living owner, the plan's read-only view of it, the role a
 * user held that may still own assets (by the activity record), and their wiring for the
 * composition root. The grants themselves are ./hand-over-assets.ts.
 */

type PlanHandoverView = ReturnType<typeof createPlanHandoverView>;

/**
 * The handover's settings as the composition root (../compose-removals.ts) hands them to the plan
 * and the worker: the successor (IDSYNC_ASSET_SUCCESSOR), the manager lookup for `manager:` (the
 * manager's QuickSight users are the newest snapshot's users with the manager's email), and the
 * plan's read-only view, whose QuickSight client is built at the first plan that asks.
 */
export function handoverWiring(
  successor: AssetSuccessor | undefined,
  clients: {
    readonly managers?: () => ManagerLookup;
    readonly assetReads?: () => {
      readonly assets: AssetOwnership;
      /** One QuickSight scope's asset reads, in its account (undefined: not configured). */
      readonly scoped?: (
        key: string | undefined,
      ) => { readonly assets: AssetOwnership } | undefined;
      close(): void;
    };
  },
  reading: Pick<SnapshotReading, 'forPlan'>,
) {
  let reads: ReturnType<NonNullable<typeof clients.assetReads>> | undefined;
  const managerUserNames = (build: () => ManagerLookup) => {
    let lookup: ManagerLookup | undefined;
    return async (email: string): Promise<string[]> => {
      lookup ??= build();
      const manager = (await lookup.managerOf(email))?.toLowerCase();
      if (!manager) return [];
      const { quickSightUsers } = await reading.forPlan();
      return quickSightUsers
        .filter((u) => u.email?.toLowerCase() === manager)
        .map((u) => u.userName);
    };
  };
  const successorSettings = () => ({
    ...(successor ? { successor } : {}),
    ...(clients.managers ? { managerUserNames: managerUserNames(clients.managers) } : {}),
  });
  return {
    successorSettings,
    /**
     * The plan's view of the handover (absent without asset reads: the worker decides), each
     * QuickSight scope's decisions through that scope's asset reads (its account and namespace);
     * a scope not configured is left as planned (the worker holds its tasks).
     */
    handoverView() {
      if (!clients.assetReads) return {};
      reads ??= clients.assetReads();
      const r = reads;
      const views = new Map<string, PlanHandoverView | undefined>();
      const viewOf = (key: string | undefined) => {
        if (!views.has(key ?? '')) {
          const assets = r.scoped ? r.scoped(key)?.assets : r.assets;
          views.set(key ?? '', assets && createPlanHandoverView(assets, successorSettings()));
        }
        return views.get(key ?? '');
      };
      const handoverView: PlanHandoverView = async (decisions) => {
        const byScope = new Map<string | undefined, number[]>();
        decisions.forEach((d, i) => {
          const key = d.quickSightUser?.scope;
          byScope.set(key, [...(byScope.get(key) ?? []), i]);
        });
        const out = [...decisions];
        for (const [key, indexes] of byScope) {
          const view = viewOf(key);
          if (!view) continue;
          const viewed = await view(indexes.map((i) => decisions[i] as Decision));
          indexes.forEach((i, j) => {
            out[i] = viewed[j] as Decision;
          });
        }
        return out;
      };
      return { handoverView };
    },
    close() {
      reads?.close();
      reads = undefined;
    },
  };
}

/**
 * The plan's view of the handover (read-only: Search*, List*, Describe*Permissions, DescribeUser;
 * never a grant): a `delete` of a user who can own assets and owns some alone becomes `deferred`
 * with the reason when no successor can take them (shared ones too when no other owner stays:
 * `sharesToHandOver` below), and otherwise keeps `delete` with the detail
 * "hands over N assets to X". Only users of owning roles are searched, so a plan of Readers makes
 * no QuickSight call. The worker decides again just before the call (./hand-over-assets.ts).
 */

/** The detail of a `delete` whose user's assets go to a successor. */
export function handsOverDetail(count: number, successor: string): string {
  return `hands over ${count} asset${count === 1 ? '' : 's'} to ${successor}`;
}

export function createPlanHandoverView(
  assets: AssetOwnership,
  settings: SuccessorSettings,
): (decisions: readonly Decision[]) => Promise<Decision[]> {
  const describe = cachedDescribe(assets);
  return async (decisions) => {
    // Owners deleted (or downgraded to a role that cannot own) by this same plan are not living: the worker hands their shares over to
    // whichever of them goes last, and the plan says so for each.
    const leaving = new Set(
      decisions.flatMap((d) => (endsOwnership(d) ? [d.quickSightUser.arn] : [])),
    );
    const living = livingByDescribe(describe, (p) => leaving.has(p));
    const out: Decision[] = [];
    for (const d of decisions) {
      const user = d.quickSightUser;
      if (d.decision !== 'delete' || !user || !canOwnAssets(user.role)) {
        out.push(d);
        continue;
      }
      const { sole, shared } = await assets.owned(user.arn);
      const owned = [...sole, ...(await sharesToHandOver(shared, user.arn, living))];
      if (owned.length === 0) {
        out.push(d);
        continue;
      }
      const chosen = await chooseSuccessor(
        settings,
        describe,
        { email: d.email, arn: user.arn },
        owned,
      );
      if ('reason' in chosen) out.push({ ...d, decision: 'deferred', reason: chosen.reason });
      else {
        const note = handsOverDetail(owned.length, chosen.user.userName);
        out.push({ ...d, detail: d.detail ? `${d.detail}; ${note}` : note });
      }
    }
    return out;
  };
}

/** A decision that ends its user's ownership: a deletion, or a downgrade to a role that cannot own. */
function endsOwnership(d: Decision): d is Decision & { quickSightUser: { arn: string } } {
  if (!d.quickSightUser) return false;
  if (d.decision === 'delete') return true;
  return d.decision === 'downgrade' && !canOwnAssets(d.targetRole);
}

/**
 * The worker's `heldOwningRole` (../worker/worker-ports.ts) from the activity record: a deletion
 * of a user whose role cannot own, whose record shows an authoring event, hands its assets over
 * too (shared/removal-rules.ts, `mayStillOwnAssets`). Only such deletions read the record,
 * under the task's scope key (`Task.scope`; absent: `namespace`, the home key).
 */
export function heldOwningRoleByRecord(
  activity: Pick<DynamoActivityStore, 'get'>,
  namespace: string,
): (task: Task) => Promise<boolean> {
  return async (task) => {
    if (!mayStillOwnAssets(task, { authored: true })) return false;
    const record = await activity.get(
      activityKey(scopeKeyOf(task, namespace), activityUserName(task)),
    );
    return mayStillOwnAssets(task, record);
  };
}

/**
 * Who receives a departing user's assets, for the worker's handover (./hand-over-assets.ts) and
 * the plan's view of it (`createPlanHandoverView` below): the candidates of IDSYNC_ASSET_SUCCESSOR in order
 * (shared/asset-successor.ts), each described once per process (DescribeUser), the first that
 * can own; else the reason the task is deferred.
 */

export interface SuccessorSettings {
  readonly successor?: AssetSuccessor;
  /** `manager:`: the QuickSight user names of the person's manager (Google Directory). */
  readonly managerUserNames?: (email: string) => Promise<readonly string[]>;
}

/** DescribeUser remembered per name (a failed look-up is not: the next task asks again). */
export function cachedDescribe(
  assets: Pick<AssetOwnership, 'describeUser'>,
): (name: string) => Promise<CandidateUser | undefined> {
  const users = new Map<string, Promise<CandidateUser | undefined>>();
  return (name) => {
    let found = users.get(name);
    if (!found) {
      found = assets.describeUser(name);
      found.catch(() => users.delete(name));
      users.set(name, found);
    }
    return found;
  };
}

/** The first usable candidate, or the reason there is none. */
export async function chooseSuccessor(
  settings: SuccessorSettings,
  describe: (name: string) => Promise<CandidateUser | undefined>,
  departing: { readonly email: string; readonly arn: string },
  owned: readonly Pick<OwnedAsset, 'type'>[],
): Promise<{ user: CandidateUser } | { reason: string }> {
  if (!settings.successor) return { reason: noSuccessorReason(ownedCountsText(owned)) };
  const managers =
    settings.successor.kind === 'manager' && settings.managerUserNames
      ? await settings.managerUserNames(departing.email)
      : [];
  let problem = '';
  for (const name of successorCandidates(settings.successor, managers)) {
    const user = await describe(name);
    problem = successorProblem(name, user, departing.arn) ?? '';
    if (!problem && user) return { user };
  }
  return { reason: `owns ${ownedCountsText(owned)}; ${problem}` };
}

/**
 * Which of a departing user's shared assets (owned with others) must still be handed over: those
 * none of whose other owners is a living QuickSight user that can own (shared/asset-orphan-rule.ts).
 * A user owner is looked up by the name in its ARN (DescribeUser, through `describe`); a group or
 * any other principal counts as living. A look-up that fails throws: the caller defers the task.
 *
 * An owner that exists but is leaving too is not living: the worker runs several tasks at once,
 * so two co-owners' handovers may both run before either deletion, each seeing the other still
 * there. A co-owner whose own task is open (PENDING or IN_PROGRESS) and ends its ownership
 * (`needsHandover`: a deletion, or a downgrade to a role that cannot own) is leaving; then both
 * hand the asset over (the second grant is a no-op), and none is left without an owner. The plan
 * counts the owners it deletes itself as leaving.
 */

/** Whether an owner principal is a living principal that can own assets. */
export type LivingOwner = (principal: string) => Promise<boolean>;

/** Whether a user owner is leaving too (see the file comment). */
export type LeavingOwner = (principal: string) => boolean | Promise<boolean>;

/**
 * Living by DescribeUser: a user ARN whose user exists with that ARN and an owning role, and is
 * not `leaving`.
 */
export function livingByDescribe(
  describe: (name: string) => Promise<CandidateUser | undefined>,
  leaving: LeavingOwner = () => false,
): LivingOwner {
  return async (principal) => {
    if (await leaving(principal)) return false;
    const named = quickSightUserOf(principal);
    if (named === undefined) return true;
    const user = await describe(named.userName);
    return user !== undefined && user.arn === principal && canOwnAssets(user.role);
  };
}

/** Task statuses of a task that may still run: its user may go any moment. */
const OPEN_STATUSES: ReadonlySet<Task['status']> = new Set(['PENDING', 'IN_PROGRESS']);

/**
 * Leaving by the task store: the user's deletion task (`taskIdFor`, under the scope key of the
 * ARN's account and namespace: `homeAccountId` keeps bare namespace keys) or role-change task
 * (`#role`) is open and ends its ownership.
 */
export function leavingByTasks(
  tasks: {
    get(taskId: string): Promise<Task | undefined>;
  },
  homeAccountId?: string,
): LeavingOwner {
  return async (principal) => {
    const named = quickSightUserOf(principal);
    if (named === undefined) return false;
    const account = principal.split(':')[4] ?? '';
    const key =
      homeAccountId === undefined
        ? named.namespace
        : scopeKey(homeAccountId, account, named.namespace);
    const id = taskIdFor(key, { userName: named.userName });
    const found = await Promise.all([tasks.get(id), tasks.get(`${id}#role`)]);
    return found.some((t) => t !== undefined && OPEN_STATUSES.has(t.status) && needsHandover(t));
  };
}

/** The shared assets to hand over before `departing` goes (each looked-up owner asked once). */
export async function sharesToHandOver(
  shared: readonly SharedAsset[],
  departing: string,
  living: LivingOwner,
): Promise<OwnedAsset[]> {
  const answers = new Map<string, Promise<boolean>>();
  const ask = (p: string) => {
    let a = answers.get(p);
    if (!a) {
      a = living(p);
      answers.set(p, a);
    }
    return a;
  };
  const out: OwnedAsset[] = [];
  for (const asset of shared) {
    const others = otherOwners(asset.type, asset.permissions, departing);
    const alive = new Set<string>();
    for (const p of others) if (await ask(p)) alive.add(p);
    if (mustHandOverAsset(asset.type, asset.permissions, departing, alive)) {
      const { permissions: _, ...owned } = asset;
      out.push(owned);
    }
  }
  return out;
}
