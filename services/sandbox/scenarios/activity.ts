import type { QuickSightUser } from '../../../shared/domain.js';
import {
  type QuickSightActor,
  type QuickSightEventInput,
  quickSightEvent,
  READ_EVENT_NAMES,
} from '../cloudtrail/quicksight-events.js';
import type { CloudTrailRecord } from '../cloudtrail-events.js';
import type { SandboxOrg } from './org-types.js';
import { mulberry32, pick, type Random, randomInt, shuffle } from './random.js';

/**
 * QuickSight activity of a sandbox organisation, as the CloudTrail records LookupEvents would
 * hold: who viewed dashboards when, who was registered recently, plus the noise a real account
 * has (idsync's own ListUsers calls, sessions naming nobody, failed calls). Deterministic for a
 * seed. Every Reader gets one of these stories:
 *
 * - `active`: last active within `idleDays` (newest event between `idleDays − 1` days and
 *   `LATEST_EVENT_MS` ago), older events spread over the 90 days;
 * - `lapsed`: active only 61–89 days ago (for `idleDays` 60: `idleDays + 1` to 89 days);
 * - `never`: no activity in the 90 days CloudTrail keeps;
 * - `new`: registered `newDaysAgo` days ago (a RegisterUser event) and never active since.
 *
 * `idle` users are the `lapsed` and `never` Readers; `new` ones are not idle (creation
 * evidence). Authors and admins get `active` or `never` at random (an idle Author must never be
 * deleted). IAM-federated users act through their role session (the session's case varies, and
 * a tenth of the ARNs carry the role path), IAM Identity Center users through `onBehalfOf`,
 * QuickSight-native users by name.
 */

/** The newest generated event is this old: `activity sync` stays 15 minutes behind real time. */
export const LATEST_EVENT_MS = 20 * 60_000;
const DAY = 86_400_000;

export interface ActivitySpec {
  /** The scenario's present; events lie before it. */
  readonly now: Date;
  /** Idle threshold in days; default 60. */
  readonly idleDays?: number;
  /**
   * Readers idle for more than `idleDays` (`lapsed` + `never`). Default 41 % of the Readers
   * (≈ 900 of ≈ 2,200 in the demo organisation).
   */
  readonly idleReaders?: number;
  /** Readers registered recently without activity since; default 5 (1 in orgs under 100 Readers). */
  readonly newReaders?: number;
  /** Age of the `new` registrations, in days; default 10. */
  readonly newDaysAgo?: number;
  /**
   * Activity events in all (noise and registrations come on top); default 2 per active user.
   * Every active user gets at least one.
   */
  readonly events?: number;
  /**
   * At most this many older events per `lapsed` Reader besides its newest one (each draws 0 to
   * this many); default 2. The demo uses 0: one event tells when a lapsed Reader was last active.
   */
  readonly lapsedExtraEvents?: number;
  /**
   * Share of the active users whose newest activity is a dashboard embedded for them by an
   * application (`GenerateEmbedUrlForRegisteredUser` from `SANDBOX_EMBEDDING_ROLE`, with their
   * user ARN); default 1/8. Drawn from a random stream of its own, so the stories stay as they
   * are for a seed. One anonymous embedding is added as noise when any is drawn.
   */
  readonly embeddedShare?: number;
  /**
   * Share of the active Authors (Author Pro, Admin, Admin Pro) whose newest event is a write on an
   * asset (`UpdateAnalysis`, `CreateDashboard`, …: an authoring event, shared/authoring.ts)
   * instead of a read; default 3/4. The others only view: idle as Authors for
   * `idsync inactive --downgrade-authors`. Drawn from a random stream of its own.
   */
  readonly authoringShare?: number;
  readonly seed?: number;
}

export type ActivityStory = 'active' | 'lapsed' | 'never' | 'new';

export interface UserActivity {
  readonly userName: string;
  readonly role: string;
  readonly identityType: string;
  readonly story: ActivityStory;
  /** Newest activity event, if any. */
  readonly lastActiveAt?: string;
  /** RegisterUser time of `new` users. */
  readonly registeredAt?: string;
}

export interface GeneratedActivity {
  /** Every CloudTrail record, oldest first. */
  readonly records: CloudTrailRecord[];
  /** One entry per QuickSight user of the organisation. */
  readonly users: UserActivity[];
  /** User names of the Readers idle for more than `idleDays` (`lapsed` or `never`). */
  readonly idleReaders: string[];
  /** Records that must be ignored (idsync's own calls, sessions naming nobody, failed calls). */
  readonly noise: number;
}

const READER_ROLES = new Set(['READER', 'READER_PRO']);
/** The role idsync's own calls come from in the sandbox (set IDSYNC_ACTIVITY_IGNORED_PRINCIPALS to it). */
export const SANDBOX_IDSYNC_ROLE = 'idsync-sandbox-role';
/**
 * The application role that embeds dashboards in the sandbox (also an ignored principal: its own
 * calls are no one's activity, the dashboards it embeds for a named user are that user's).
 */
export const SANDBOX_EMBEDDING_ROLE = 'dashboard-portal-role';

function actorOf(user: QuickSightUser, org: SandboxOrg, random: Random): QuickSightActor {
  if (user.identityType === 'IAM_IDENTITY_CENTER') {
    const userId = (user.principalId ?? '').split('/').at(-1) ?? '';
    return { kind: 'identity-center', userId, identityStoreId: org.identityStoreId };
  }
  if (user.identityType === 'QUICKSIGHT') return { kind: 'native', userName: user.userName };
  const slash = user.userName.lastIndexOf('/');
  const roleName = user.userName.slice(0, slash);
  let session = user.userName.slice(slash + 1);
  if (random() < 0.1) session = session.toUpperCase();
  return { kind: 'federated', roleName, session, pathInArn: random() < 0.1 };
}

const wholeSecond = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);

/** The activity of `org` (its QuickSight users as built) for `spec`. */
export function generateActivity(org: SandboxOrg, spec: ActivitySpec): GeneratedActivity {
  const random = mulberry32(spec.seed ?? 1);
  const now = spec.now.getTime();
  const idleDays = spec.idleDays ?? 60;
  const users = org.people.flatMap((p) => p.quickSightUsers);
  const readers = shuffle(
    random,
    users.filter((u) => READER_ROLES.has(u.role)),
  );
  const idleCount = Math.min(readers.length, spec.idleReaders ?? Math.round(readers.length * 0.41));
  const newCount = Math.min(
    readers.length - idleCount,
    spec.newReaders ?? (readers.length >= 100 ? 5 : 1),
  );
  const story = new Map<string, ActivityStory>();
  readers.forEach((u, i) => {
    story.set(
      u.arn,
      i < idleCount
        ? i % 2 === 0
          ? 'lapsed'
          : 'never'
        : i < idleCount + newCount
          ? 'new'
          : 'active',
    );
  });
  for (const u of users)
    if (!story.has(u.arn)) story.set(u.arn, random() < 0.5 ? 'active' : 'never');

  const records: CloudTrailRecord[] = [];
  const event = (input: Omit<QuickSightEventInput, 'accountId' | 'region' | 'random'>) =>
    records.push(
      quickSightEvent({ ...input, accountId: org.accountId, region: org.region, random }),
    );
  const read = (user: QuickSightUser, at: number) =>
    event({
      time: wholeSecond(at),
      eventName: pick(random, READ_EVENT_NAMES),
      actor: actorOf(user, org, random),
    });

  const active = users.filter((u) => story.get(u.arn) === 'active');
  const newest = new Map<string, number>();
  const span = (lo: number, hi: number) => lo + random() * (hi - lo);
  const newestRecord = new Map<string, number>();
  for (const u of active) {
    const at = span(now - (idleDays - 1) * DAY, now - LATEST_EVENT_MS);
    newest.set(u.arn, at);
    read(u, at);
    newestRecord.set(u.arn, records.length - 1);
  }
  const extra = Math.max(0, (spec.events ?? active.length * 2) - active.length);
  for (let i = 0; i < extra && active.length > 0; i++) {
    const u = active[randomInt(random, active.length)] as QuickSightUser;
    read(u, span(now - 89 * DAY, newest.get(u.arn) as number));
  }
  const registeredAt = new Map<string, number>();
  for (const u of users) {
    const s = story.get(u.arn);
    if (s === 'lapsed') {
      const last = span(now - 89 * DAY, now - (idleDays + 1) * DAY);
      newest.set(u.arn, last);
      read(u, last);
      const extraMax = spec.lapsedExtraEvents ?? 2;
      for (let k = extraMax > 0 ? randomInt(random, extraMax + 1) : 0; k > 0; k--)
        read(u, span(now - 89.5 * DAY, last));
    }
    if (s === 'new') {
      const at = now - (spec.newDaysAgo ?? 10) * DAY;
      registeredAt.set(u.arn, at);
      const slash = u.userName.lastIndexOf('/');
      event({
        time: wholeSecond(at),
        eventName: 'RegisterUser',
        actor: {
          kind: 'federated',
          roleName: org.roles.admin.name,
          session: `admin@${org.domain}`,
        },
        registered: {
          namespace: org.namespace,
          userName: u.userName,
          email: u.email ?? '',
          identityType: u.identityType as 'IAM',
          role: u.role,
          ...(u.identityType === 'IAM' && slash > 0
            ? {
                iamArn: `arn:aws:iam::${org.accountId}:role/aws-reserved/sso.amazonaws.com/${u.userName.slice(0, slash)}`,
                sessionName: u.userName.slice(slash + 1),
              }
            : {}),
        },
      });
    }
  }
  // Noise: idsync's own calls, automation sessions naming nobody, failed calls of idle users.
  const idle = readers.slice(0, idleCount);
  let noise = 0;
  for (let i = 0; i < Math.max(3, Math.round(records.length / 200)); i++) {
    const at = span(now - 89 * DAY, now - LATEST_EVENT_MS);
    event({
      time: wholeSecond(at),
      eventName: pick(random, ['ListUsers', 'DescribeUser']),
      actor: { kind: 'federated', roleName: SANDBOX_IDSYNC_ROLE, session: 'idsync' },
    });
    event({
      time: wholeSecond(at + 1000),
      eventName: 'ListDashboards',
      actor: { kind: 'federated', roleName: 'ci-deployer', session: `botocore-session-${i}` },
    });
    const victim = idle[i % Math.max(1, idle.length)];
    if (victim)
      event({
        time: wholeSecond(span(now - (idleDays - 1) * DAY, now - LATEST_EVENT_MS)),
        eventName: 'GetDashboard',
        actor: actorOf(victim, org, random),
        errorCode: 'AccessDeniedException',
      });
    noise += victim ? 3 : 2;
  }
  noise += embedDashboards(records, active, newestRecord, org, spec);
  authorAssets(records, active, newestRecord, spec);
  records.sort((a, b) => a.eventTime.localeCompare(b.eventTime));
  const iso = (ms: number | undefined) =>
    ms === undefined ? undefined : wholeSecond(ms).toISOString();
  return {
    records,
    users: users.map((u) => {
      const lastActiveAt = iso(newest.get(u.arn));
      const registered = iso(registeredAt.get(u.arn));
      return {
        userName: u.userName,
        role: u.role,
        identityType: u.identityType,
        story: story.get(u.arn) as ActivityStory,
        ...(lastActiveAt ? { lastActiveAt } : {}),
        ...(registered ? { registeredAt: registered } : {}),
      };
    }),
    idleReaders: idle.map((u) => u.userName),
    noise,
  };
}

/** Asset writes an Author's newest event may be (shared/authoring.ts counts them as authoring). */
export const AUTHORING_EVENT_NAMES = [
  'UpdateAnalysis',
  'CreateDashboard',
  'UpdateDataSet',
  'CreateAnalysis',
  'UpdateDashboard',
] as const;
const AUTHOR_ROLES = new Set(['AUTHOR', 'AUTHOR_PRO', 'ADMIN', 'ADMIN_PRO']);

/**
 * Turns the newest read of a share of the active Authors into an asset write at the same time
 * (their last activity stays): the CloudTrail record of an Author at work.
 */
function authorAssets(
  records: CloudTrailRecord[],
  active: readonly QuickSightUser[],
  newestRecord: ReadonlyMap<string, number>,
  spec: ActivitySpec,
): void {
  const random = mulberry32(((spec.seed ?? 1) ^ 0xa07) >>> 0);
  const share = spec.authoringShare ?? 3 / 4;
  for (const u of active) {
    if (!AUTHOR_ROLES.has(u.role.toUpperCase())) continue;
    const index = newestRecord.get(u.arn);
    const record = index === undefined ? undefined : records[index];
    if (!record || random() >= share) continue;
    if (!(READ_EVENT_NAMES as readonly string[]).includes(record.eventName)) continue;
    records[index as number] = {
      ...record,
      eventName: pick(random, AUTHORING_EVENT_NAMES),
      readOnly: false,
    };
  }
}

/**
 * Turns the newest read of a share of the active users into a dashboard embedded for them by the
 * portal role (same time: their last activity stays), and adds one anonymous embedding; returns
 * the noise records added (0 or 1).
 */
function embedDashboards(
  records: CloudTrailRecord[],
  active: readonly QuickSightUser[],
  newestRecord: ReadonlyMap<string, number>,
  org: SandboxOrg,
  spec: ActivitySpec,
): number {
  const random = mulberry32(((spec.seed ?? 1) ^ 0x5eed) >>> 0);
  const share = spec.embeddedShare ?? 1 / 8;
  const portal = (session: string): QuickSightActor => ({
    kind: 'federated',
    roleName: SANDBOX_EMBEDDING_ROLE,
    session,
  });
  let embedded = 0;
  for (const u of active) {
    const index = newestRecord.get(u.arn);
    // `N/A` users (some IAM Identity Center users) have no name an ARN could carry.
    if (index === undefined || random() >= share || u.userName === 'N/A') continue;
    const record = records[index] as CloudTrailRecord;
    records[index] = quickSightEvent({
      accountId: org.accountId,
      region: org.region,
      time: new Date(record.eventTime),
      eventName: 'GenerateEmbedUrlForRegisteredUser',
      actor: portal(`portal-${randomInt(random, 1000)}`),
      embeddedFor: u.arn,
      random,
    });
    embedded++;
  }
  if (embedded === 0) return 0;
  const first = records[newestRecord.values().next().value as number] as CloudTrailRecord;
  records.push(
    quickSightEvent({
      accountId: org.accountId,
      region: org.region,
      time: new Date(first.eventTime),
      eventName: 'GenerateEmbedUrlForAnonymousUser',
      actor: portal('public-site'),
      random,
    }),
  );
  return 1;
}
