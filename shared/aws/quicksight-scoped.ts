import type { QuickSightUser } from '../domain.js';
import type { DeleteOutcome, QuickSightPort, RoleChangeOutcome } from '../ports.js';
import type { QuickSightScope } from '../quicksight-scopes.js';

/**
 * The QuickSight users of every scope idsync manages (IDSYNC_QUICKSIGHT_ACCOUNTS), each scope
 * through its own port (its account's client and role, its namespace). One listing spans them
 * all, scope after scope, each row carrying its scope's key (`QuickSightUser.scope`), except the
 * home scope's (the home account's configured namespace), whose rows stay as single-account
 * idsync wrote them: an old snapshot row and a new one of the same user are equal. A listing
 * that fails in any scope fails as a whole (the snapshot is then PARTIAL). The writes go to the
 * scope a task names (`of`); the port's own writes are the home scope's.
 */

export interface ScopedPorts<P> {
  readonly scope: QuickSightScope;
  readonly port: P;
}

export class ScopedQuickSightUsers<P extends QuickSightPort = QuickSightPort>
  implements QuickSightPort
{
  constructor(
    private readonly scopes: readonly ScopedPorts<P>[],
    /** The home scope's key: IDSYNC_QUICKSIGHT_NAMESPACE. */
    private readonly homeKey: string,
  ) {}

  async *listUsers(): AsyncIterable<readonly QuickSightUser[]> {
    for (const { scope, port } of this.scopes)
      for await (const page of port.listUsers())
        yield scope.key === this.homeKey ? page : page.map((u) => ({ ...u, scope: scope.key }));
  }

  /** The ports of the scope keyed `key` (absent: the home scope); undefined when not configured. */
  of(key: string | undefined): ScopedPorts<P> | undefined {
    const wanted = key ?? this.homeKey;
    return this.scopes.find((s) => s.scope.key === wanted);
  }

  deleteUser(userName: string): Promise<DeleteOutcome> {
    return this.home().deleteUser(userName);
  }

  deleteUserByPrincipalId(principalId: string): Promise<DeleteOutcome> {
    return this.home().deleteUserByPrincipalId(principalId);
  }

  updateUserRole(userName: string, role: string): Promise<RoleChangeOutcome> {
    const port = this.home();
    if (!port.updateUserRole) throw new Error('this QuickSight port cannot change roles');
    return port.updateUserRole(userName, role);
  }

  private home(): P {
    const home = this.of(undefined);
    if (!home)
      throw new Error(
        `the home QuickSight namespace (${this.homeKey}) is not among IDSYNC_QUICKSIGHT_ACCOUNTS`,
      );
    return home.port;
  }
}
