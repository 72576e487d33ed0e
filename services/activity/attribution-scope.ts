import type { QuickSightScope } from '../../shared/quicksight-scopes.js';

/**
 * Which managed scope (shared/quicksight-scopes.ts) a QuickSight user named in a CloudTrail
 * record belongs to (pure). A record belongs to the account it was recorded in (the account
 * whose event history or EventBridge envelope it came from); the user it names is in one
 * namespace of that account:
 *
 * - named with a namespace (a QuickSight user ARN, a RegisterUser's `namespace`): the scope of
 *   that account and namespace, or none when idsync does not manage it — never a same-named
 *   user of another scope;
 * - named without one (a federated role session, an IAM user, a native user by name): the
 *   account's only scope; with several, the scopes whose snapshot lists the name (every one of
 *   them when several do: evidence is never dropped for being ambiguous, which could make a user
 *   look idle), else the account's scope of the configured namespace; else none (no user of
 *   the snapshot has that name in the account's managed namespaces).
 */

export interface ScopeChoice {
  /** The scopes idsync manages. */
  readonly scopes: readonly QuickSightScope[];
  /** IDSYNC_QUICKSIGHT_NAMESPACE: the namespace of users named without one, when ambiguous. */
  readonly namespace: string;
  /** Whether a scope's snapshot lists a (normalised) user name. */
  readonly isKnownUserName?: (normalizedUserName: string, scopeKey?: string) => boolean;
}

/** The managed scopes of one account. */
export function scopesOfAccount(
  scopes: readonly QuickSightScope[],
  accountId: string,
): QuickSightScope[] {
  return scopes.filter((s) => s.accountId === accountId);
}

/** The scope of a user named with its namespace, when idsync manages it. */
export function scopeOfNamespace(
  scopes: readonly QuickSightScope[],
  accountId: string,
  namespace: string,
): QuickSightScope | undefined {
  return scopes.find((s) => s.accountId === accountId && s.namespace === namespace);
}

/** The scopes of a user named without a namespace (see the file comment); empty: none. */
export function scopesOfUnqualifiedName(
  choice: ScopeChoice,
  accountId: string,
  normalizedUserName: string,
): QuickSightScope[] {
  const candidates = scopesOfAccount(choice.scopes, accountId);
  if (candidates.length <= 1) return candidates;
  const listing = choice.isKnownUserName
    ? candidates.filter((s) => choice.isKnownUserName?.(normalizedUserName, s.key))
    : [];
  if (listing.length > 0) return listing;
  return candidates.filter((s) => s.namespace === choice.namespace);
}

/** Whether any managed scope of the account lists the (normalised) user name. */
export function knownInAccount(
  choice: ScopeChoice,
  accountId: string,
  normalizedUserName: string,
): boolean | undefined {
  if (!choice.isKnownUserName) return undefined;
  return scopesOfAccount(choice.scopes, accountId).some((s) =>
    choice.isKnownUserName?.(normalizedUserName, s.key),
  );
}
