import { normalizeEmail } from '../../shared/email.js';
import { QUICKSIGHT_EVENT_SOURCE } from '../../shared/event-sources.js';
import type { QuickSightScope } from '../../shared/quicksight-scopes.js';
import { UNNAMED_USER } from '../../shared/quicksight-user-rules.js';
import { IDC_USER_ID_PATTERN } from '../../shared/value-limits.js';
import {
  knownInAccount,
  type ScopeChoice,
  scopeOfNamespace,
  scopesOfAccount,
  scopesOfUnqualifiedName,
} from './attribution-scope.js';

/**
 * Which QuickSight user a CloudTrail record of a QuickSight call belongs to (pure). The identity
 * shapes, in the order they are tried:
 *
 * - an assumed role, `userIdentity.arn` = `arn:aws:sts::<acct>:assumed-role/<Role>/<session>`
 *   → QuickSight user name `<Role>/<session>` (IAM-federated users such as
 *   `AWSReservedSSO_QuickSightReader_…/alice@example.com`). A role path in the ARN
 *   (`assumed-role/aws-reserved/sso.amazonaws.com/<Role>/<session>`) is dropped: the user name
 *   never has it. Names compare after NFKC, trim and lower-casing (shared/email.ts), so the
 *   session's case does not matter;
 * - `userIdentity.onBehalfOf.userId` (an IAM Identity Center user; Identity Center–integrated
 *   QuickSight) → `on-behalf-of`: the caller resolves the id through the identity map to an
 *   email and that person's QuickSight users;
 * - a QuickSight-native user: `userIdentity.type` `Unknown` with a `userName`, or a QuickSight
 *   user ARN `arn:aws:quicksight:<region>:<acct>:user/<namespace>/<name>`;
 * - an IAM user, `arn:aws:iam::<acct>:user/<name>` → QuickSight user name `<name>` (when a
 *   snapshot is known: only if it lists that user).
 *
 * The user is placed in a managed scope (./attribution-scope.ts): the account the record was
 * recorded in and the user's namespace; the attribution's `user.namespace` is that scope's key
 * (`QuickSightScope.key`), what the activity record is keyed by. A user of an account or
 * namespace idsync does not manage is attributed to nobody.
 *
 * Ignored (with the reason): records of another account or event source, of an account or
 * namespace idsync does not manage, failed calls
 * (`errorCode`), calls by an ignored principal (`IDSYNC_ACTIVITY_IGNORED_PRINCIPALS`: role
 * names, role ARNs, assumed-role ARNs or IAM user ARNs, compared case-insensitively; set it to
 * idsync's own roles and automation), identity administration (`ListUsers`, `DescribeUser`,
 * `DeleteUser`, `DeleteUserByPrincipalId`, `UpdateUser` — idsync's own calls, never a sign that
 * the caller uses dashboards), anonymous embedding (`GenerateEmbedUrlForAnonymousUser`), an
 * `onBehalfOf.userId` that is no IdC user id (shared/value-limits.ts: never in the map), the
 * root user and AWS services, and sessions that name nobody: a role session whose name is no
 * email and whose `<Role>/<session>` is no QuickSight user of the newest COMPLETE snapshot (such
 * as `botocore-session-…` or a Lambda function's name). `activity sync` runs only with a
 * COMPLETE snapshot (services/activity/sync-job.ts), so such a session positively names nobody.
 *
 * Evaluated before the ignored principals, because they are about someone else than the caller:
 * - `RegisterUser` / `CreateUser` are creation evidence, not activity, whoever made them (the
 *   ignored principals only stop a principal's own use from counting): RegisterUser for the user
 *   it registered (`responseElements.user.userName`, else `<role of iamArn>/<sessionName>`,
 *   else `userName`), CreateUser (first sign-in of a federated user) for the caller;
 * - registered-user embedding (`GenerateEmbedUrlForRegisteredUser`, `GetDashboardEmbedUrl`)
 *   with `requestParameters.userArn` naming a QuickSight user of this account is activity of
 *   that user, whoever called (an application role embeds dashboards for its users).
 */

export const CREATION_EVENTS: ReadonlySet<string> = new Set(['RegisterUser', 'CreateUser']);
/** Calls that embed a dashboard for the QuickSight user `requestParameters.userArn` names. */
export const EMBEDDING_EVENTS: ReadonlySet<string> = new Set([
  'GenerateEmbedUrlForRegisteredUser',
  'GetDashboardEmbedUrl',
]);
/** Embedding for anonymous visitors: names no QuickSight user. */
export const ANONYMOUS_EMBEDDING_EVENT = 'GenerateEmbedUrlForAnonymousUser';
export const ADMINISTRATION_EVENTS: ReadonlySet<string> = new Set([
  'ListUsers',
  'DescribeUser',
  'DeleteUser',
  'DeleteUserByPrincipalId',
  'UpdateUser',
]);

export interface AttributionContext {
  /**
   * The account the record was recorded in: the account whose CloudTrail history was read, or
   * the EventBridge envelope's account (a record naming another account is ignored).
   */
  readonly accountId: string;
  /**
   * IDSYNC_QUICKSIGHT_NAMESPACE: the namespace of users named without one (federated,
   * on-behalf-of, IAM users) when their account has several managed namespaces.
   */
  readonly namespace: string;
  /** The managed scopes; absent: one, `namespace` in `accountId`, keyed by the namespace alone. */
  readonly scopes?: readonly QuickSightScope[];
  /** IDSYNC_ACTIVITY_IGNORED_PRINCIPALS. */
  readonly ignoredPrincipals: readonly string[];
  /**
   * Whether a (normalised) QuickSight user name is known, e.g. from the newest COMPLETE
   * snapshot: in the scope of `scopeKey`, or (without it) in any.
   */
  readonly isKnownUserName?: (normalizedUserName: string, scopeKey?: string) => boolean;
}

export interface UserRef {
  /** The key of the user's scope (`QuickSightScope.key`): the namespace in the home account. */
  readonly namespace: string;
  readonly userName: string;
}

export type Evidence = 'activity' | 'creation';

export type Attribution =
  | {
      readonly kind: 'user';
      readonly evidence: Evidence;
      readonly user: UserRef;
      /**
       * Further users the evidence is theirs too: a name without a namespace that the snapshot
       * lists in several namespaces of the account (./attribution-scope.ts).
       */
      readonly also?: readonly UserRef[];
      readonly eventName: string;
      readonly at: string;
      readonly eventId: string;
    }
  | {
      readonly kind: 'on-behalf-of';
      readonly evidence: Evidence;
      /** IAM Identity Center user id, to resolve through the identity map. */
      readonly idcUserId: string;
      /** The keys of the scopes of the record's account: only their users are this person. */
      readonly scopeKeys?: readonly string[];
      readonly eventName: string;
      readonly at: string;
      readonly eventId: string;
    }
  | { readonly kind: 'ignored'; readonly reason: string; readonly eventId: string };

type Json = Record<string, unknown>;

const obj = (v: unknown): Json | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim().length > 0 ? v : undefined;

/** `<Role>/<session>` of an assumed-role ARN (role path dropped), or undefined. */
export function assumedRoleUserName(arn: string): { role: string; session: string } | undefined {
  const m = /^arn:aws[\w-]*:sts::\d{12}:assumed-role\/(.+)$/.exec(arn.trim());
  if (!m) return undefined;
  const parts = (m[1] as string).split('/');
  if (parts.length < 2) return undefined;
  const session = parts.at(-1) as string;
  const role = parts.at(-2) as string;
  return role && session ? { role, session } : undefined;
}

/** Namespace and name of a QuickSight user ARN, or undefined. */
export function quickSightUserArn(
  arn: string,
): { readonly namespace: string; readonly userName: string } | undefined {
  const m = /^arn:aws[\w-]*:quicksight:[\w-]+:\d{12}:user\/([^/]+)\/(.+)$/.exec(arn.trim());
  return m ? { namespace: m[1] as string, userName: m[2] as string } : undefined;
}

/** The role name of an IAM role ARN (path dropped), or the input when it is no ARN. */
function roleNameOf(arnOrName: string): string {
  const m = /^arn:aws[\w-]*:iam::\d{12}:role\/(.+)$/.exec(arnOrName.trim());
  return m ? ((m[1] as string).split('/').at(-1) as string) : arnOrName;
}

/** Whether the caller is one of the ignored principals. */
function isIgnored(identity: Json, ignored: readonly string[]): boolean {
  if (ignored.length === 0) return false;
  const wanted = new Set(ignored.map((p) => normalizeEmail(roleNameOf(p))));
  const fullArns = new Set(ignored.map((p) => normalizeEmail(p)));
  const arn = str(identity.arn);
  const issuer = str(obj(obj(identity.sessionContext)?.sessionIssuer)?.arn);
  const candidates: string[] = [];
  if (arn) {
    candidates.push(arn);
    const assumed = assumedRoleUserName(arn);
    if (assumed) candidates.push(assumed.role);
  }
  if (issuer) candidates.push(issuer, roleNameOf(issuer));
  return candidates.some((c) => fullArns.has(normalizeEmail(c)) || wanted.has(normalizeEmail(c)));
}

/** A user as a record names it: with its namespace, or without (placed by attribution-scope.ts). */
interface NamedUser {
  readonly namespace?: string;
  readonly userName: string;
}

/** The user a RegisterUser call registered. */
function registeredUser(record: Json): NamedUser | undefined {
  const request = obj(record.requestParameters) ?? {};
  const ns = str(request.namespace);
  const fromResponse = str(obj(obj(record.responseElements)?.user)?.userName);
  const named = (userName: string): NamedUser => (ns ? { namespace: ns, userName } : { userName });
  if (fromResponse) return named(fromResponse);
  const iamArn = str(request.iamArn);
  const session = str(request.sessionName);
  if (iamArn && session) return named(`${roleNameOf(iamArn)}/${session}`);
  const userName = str(request.userName);
  return userName ? named(userName) : undefined;
}

/** The account of an ARN (its fifth field). */
const arnAccount = (arn: string): string | undefined => arn.trim().split(':')[4];

/** The QuickSight user an embedding call embeds for (`userArn`), when of this account. */
function embeddedUser(record: Json, accountId: string): NamedUser | 'another account' | undefined {
  const request = obj(record.requestParameters) ?? {};
  const arn = str(request.userArn) ?? str(request.UserArn);
  if (!arn) return undefined;
  const user = quickSightUserArn(arn);
  if (!user) return undefined;
  return arnAccount(arn) === accountId ? user : 'another account';
}

/** The event time as the record stores it (ISO, ms). */
function timeOf(record: Json): string | undefined {
  const raw = str(record.eventTime);
  const ms = raw ? Date.parse(raw) : Number.NaN;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** Attributes one CloudTrail record (the JSON object CloudTrail writes). */
export function attributeEvent(record: Json, ctx: AttributionContext): Attribution {
  const eventId = str(record.eventID) ?? '';
  const ignore = (reason: string): Attribution => ({ kind: 'ignored', reason, eventId });
  if (record.eventSource !== QUICKSIGHT_EVENT_SOURCE) return ignore('not a QuickSight event');
  const account = str(record.recipientAccountId);
  if (account !== undefined && account !== ctx.accountId) return ignore('another account');
  const choice: ScopeChoice = {
    scopes: ctx.scopes ?? [
      { accountId: ctx.accountId, namespace: ctx.namespace, key: ctx.namespace },
    ],
    namespace: ctx.namespace,
    ...(ctx.isKnownUserName ? { isKnownUserName: ctx.isKnownUserName } : {}),
  };
  const accountScopes = scopesOfAccount(choice.scopes, ctx.accountId);
  if (accountScopes.length === 0) return ignore('account idsync does not manage');
  const eventName = str(record.eventName);
  const at = timeOf(record);
  if (!eventName || !at || !eventId) return ignore('malformed record');
  if (str(record.errorCode)) return ignore('failed call');
  const identity = obj(record.userIdentity);
  if (!identity) return ignore('no userIdentity');
  const evidence: Evidence = CREATION_EVENTS.has(eventName) ? 'creation' : 'activity';
  const found = (named: NamedUser): Attribution => {
    const scope =
      named.namespace === undefined
        ? undefined
        : scopeOfNamespace(choice.scopes, ctx.accountId, named.namespace);
    const [first, ...more] =
      named.namespace === undefined
        ? scopesOfUnqualifiedName(choice, ctx.accountId, normalizeEmail(named.userName))
        : scope
          ? [scope]
          : [];
    if (!first)
      return ignore(
        named.namespace === undefined
          ? 'user of no managed namespace'
          : 'namespace idsync does not manage',
      );
    const refOf = (s: { key: string }) => ({ namespace: s.key, userName: named.userName });
    return {
      kind: 'user',
      evidence,
      user: refOf(first),
      ...(more.length > 0 ? { also: more.map(refOf) } : {}),
      eventName,
      at,
      eventId,
    };
  };

  // About someone other than the caller: counts whoever called (see the file comment).
  if (eventName === 'RegisterUser') {
    const user = registeredUser(record);
    return user ? found(user) : ignore('RegisterUser names no user');
  }
  if (eventName === ANONYMOUS_EMBEDDING_EVENT) return ignore('anonymous embedding');
  if (EMBEDDING_EVENTS.has(eventName)) {
    const user = embeddedUser(record, ctx.accountId);
    if (user === 'another account') return ignore('embedding for a user of another account');
    if (user?.userName === UNNAMED_USER) return ignore('embedding for an unnamed (N/A) user');
    if (user) return found(user);
  }
  if (eventName !== 'CreateUser' && isIgnored(identity, ctx.ignoredPrincipals))
    return ignore('ignored principal');
  if (ADMINISTRATION_EVENTS.has(eventName)) return ignore('identity administration');

  const onBehalfOf = str(obj(identity.onBehalfOf)?.userId);
  if (onBehalfOf) {
    // The identity map holds only ids of this shape: another could never be attributed or kept.
    if (!IDC_USER_ID_PATTERN.test(onBehalfOf)) return ignore('on-behalf-of id is no IdC user id');
    const scopeKeys = accountScopes.map((s) => s.key);
    return {
      kind: 'on-behalf-of',
      evidence,
      idcUserId: onBehalfOf,
      scopeKeys,
      eventName,
      at,
      eventId,
    };
  }

  const arn = str(identity.arn);
  const assumed = arn ? assumedRoleUserName(arn) : undefined;
  if (assumed) {
    const userName = `${assumed.role}/${assumed.session}`;
    const named =
      normalizeEmail(assumed.session).includes('@') ||
      (knownInAccount(choice, ctx.accountId, normalizeEmail(userName)) ?? false);
    return named ? found({ userName }) : ignore('session names nobody');
  }
  const qsUser = arn ? quickSightUserArn(arn) : undefined;
  if (qsUser)
    return arnAccount(arn as string) === ctx.accountId
      ? found(qsUser)
      : ignore('user of another account');
  const type = str(identity.type);
  const name = str(identity.userName);
  if (type === 'Unknown' && name) return found({ userName: name });
  if (type === 'IAMUser' && name)
    return (knownInAccount(choice, ctx.accountId, normalizeEmail(name)) ?? true)
      ? found({ userName: name })
      : ignore('IAM user is no QuickSight user');
  return ignore(`caller names no QuickSight user (${type ?? 'no type'})`);
}
