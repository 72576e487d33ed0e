import { ROLE_ARN_PATTERN, roleArnAccount } from './aws/role-arn.js';

/**
 * The QuickSight accounts and namespaces idsync manages (IDSYNC_QUICKSIGHT_ACCOUNTS), each a
 * "scope": QuickSight users live in one namespace of one account, and every row idsync keeps of
 * them (task, activity record, notice, audit row) is keyed by its scope's `key`.
 *
 * The home account (IDSYNC_QUICKSIGHT_ACCOUNT_ID) keeps the keys single-account idsync has always
 * written, the namespace alone (`default#alice`): adding accounts later neither orphans a pending
 * task nor forgets 90 days of activity, which would make active people look idle. Every other
 * account's scopes are keyed `<account>/<namespace>` (`222222222222/default#alice`); a namespace
 * name cannot hold `/`, so no two scopes share a key.
 */

export interface QuickSightScope {
  readonly accountId: string;
  readonly namespace: string;
  /** The role assumed for this account's QuickSight calls; absent: IDSYNC_QUICKSIGHT_ROLE_ARN, else the process's own credentials. */
  readonly roleArn?: string;
  /** What keys this scope's rows: the namespace in the home account, `<account>/<namespace>` elsewhere. */
  readonly key: string;
}

/** One entry of IDSYNC_QUICKSIGHT_ACCOUNTS: `account[:namespace…][@role-arn]`. */
export interface QuickSightAccountEntry {
  readonly accountId: string;
  /** Empty: the configured namespace (IDSYNC_QUICKSIGHT_NAMESPACE). */
  readonly namespaces: readonly string[];
  readonly roleArn?: string;
}

export const SCOPE_KEY_SEPARATOR = '/';
const ACCOUNT_PATTERN = /^\d{12}$/;
export const NAMESPACE_PATTERN = /^[a-zA-Z0-9._-]{1,64}$/;

/** The key of a scope's rows: the namespace alone in the home account, else `<account>/<namespace>`. */
export function scopeKey(homeAccountId: string, accountId: string, namespace: string): string {
  return accountId === homeAccountId ? namespace : `${accountId}${SCOPE_KEY_SEPARATOR}${namespace}`;
}

export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly message: string };

/**
 * Parses IDSYNC_QUICKSIGHT_ACCOUNTS: comma-separated `account[:namespace…][@role-arn]`, e.g.
 * `111111111111:default:sales,222222222222@arn:aws:iam::222222222222:role/idsync`. The role
 * must be in the entry's account: QuickSight answers only callers of the account it is called for.
 */
export function parseQuickSightAccounts(text: string): Parsed<QuickSightAccountEntry[]> {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.every((p) => p === ''))
    return fail('is empty: expected account[:namespace…][@role-arn] entries');
  const entries: QuickSightAccountEntry[] = [];
  for (const part of parts) {
    if (part === '') return fail('has an empty entry (two commas in a row?)');
    const at = part.indexOf('@');
    const head = at < 0 ? part : part.slice(0, at);
    const roleArn = at < 0 ? undefined : part.slice(at + 1);
    const [accountId = '', ...namespaces] = head.split(':').map((s) => s.trim());
    if (!ACCOUNT_PATTERN.test(accountId))
      return fail(`entry "${part}": "${accountId}" is not a 12-digit AWS account id`);
    const badNamespace = namespaces.find((n) => !NAMESPACE_PATTERN.test(n));
    if (badNamespace !== undefined)
      return fail(`entry "${part}": "${badNamespace}" is not a QuickSight namespace name`);
    if (roleArn !== undefined) {
      if (!ROLE_ARN_PATTERN.test(roleArn))
        return fail(`entry "${part}": "${roleArn}" is not an IAM role ARN`);
      if (roleArnAccount(roleArn) !== accountId)
        return fail(
          `entry "${part}": the role is in account ${roleArnAccount(roleArn)}, not ${accountId}; QuickSight answers only callers of its own account`,
        );
    }
    if (entries.some((e) => e.accountId === accountId))
      return fail(`lists account ${accountId} twice: name all its namespaces in one entry`);
    entries.push({ accountId, namespaces, ...(roleArn ? { roleArn } : {}) });
  }
  return { ok: true, value: entries };
}

/**
 * The scopes idsync manages: one per account and namespace of IDSYNC_QUICKSIGHT_ACCOUNTS, or,
 * without it, the home account's configured namespace alone (single-account idsync).
 * `defaultRoleArn` (IDSYNC_QUICKSIGHT_ROLE_ARN) serves the home account and any account it is in;
 * another account without a role of its own is refused.
 */
export function quickSightScopes(home: {
  readonly accountId: string;
  readonly namespace: string;
  readonly defaultRoleArn?: string;
  readonly entries?: readonly QuickSightAccountEntry[];
}): Parsed<QuickSightScope[]> {
  const entries = home.entries ?? [{ accountId: home.accountId, namespaces: [] }];
  const scopes: QuickSightScope[] = [];
  for (const entry of entries) {
    const roleArn =
      entry.roleArn ??
      (home.defaultRoleArn !== undefined &&
      (entry.accountId === home.accountId ||
        roleArnAccount(home.defaultRoleArn) === entry.accountId)
        ? home.defaultRoleArn
        : undefined);
    if (roleArn === undefined && entry.accountId !== home.accountId)
      return fail(
        `names account ${entry.accountId} without a role: add @arn:aws:iam::${entry.accountId}:role/… (QuickSight answers only callers of its own account)`,
      );
    const namespaces = entry.namespaces.length > 0 ? entry.namespaces : [home.namespace];
    for (const namespace of new Set(namespaces))
      scopes.push({
        accountId: entry.accountId,
        namespace,
        ...(roleArn ? { roleArn } : {}),
        key: scopeKey(home.accountId, entry.accountId, namespace),
      });
  }
  return { ok: true, value: scopes };
}

/**
 * The scope key of a row (a QuickSight user, a task, an audit row): its `scope`, or, absent, the
 * home account's configured namespace (`homeKey`, IDSYNC_QUICKSIGHT_NAMESPACE): rows written
 * before several scopes existed, and the home scope's rows, which carry none.
 */
export function scopeKeyOf(row: { readonly scope?: string | undefined }, homeKey: string): string {
  return row.scope ?? homeKey;
}

/** The scope a row's key prefix names, if idsync manages it. */
export function scopeOfKey(
  scopes: readonly QuickSightScope[],
  key: string,
): QuickSightScope | undefined {
  return scopes.find((s) => s.key === key);
}

/** The accounts of the scopes, each once, in the order configured. */
export function scopeAccounts(scopes: readonly QuickSightScope[]): string[] {
  return [...new Set(scopes.map((s) => s.accountId))];
}

function fail(message: string): { ok: false; message: string } {
  return { ok: false, message };
}

/**
 * The account of a scope key outside the home account (`<account>/<namespace>`); undefined for a
 * home key (the namespace alone), as the activity store names the home account's lanes.
 */
export function otherAccountOfScopeKey(key: string | undefined): string | undefined {
  const at = key?.indexOf(SCOPE_KEY_SEPARATOR) ?? -1;
  return key !== undefined && at > 0 ? key.slice(0, at) : undefined;
}

/**
 * The account of a row's scope key (`QuickSightUser.scope`, `Task.scope`): the part before `/`,
 * else (a bare namespace, or no key at all) the home account. Pure: no configuration needed, so
 * rows of a scope no longer configured still name their account.
 */
export function accountOfScopeKey(homeAccountId: string, key: string | undefined): string {
  return otherAccountOfScopeKey(key) ?? homeAccountId;
}
