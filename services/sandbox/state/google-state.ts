import type { GoogleMember } from '../../../shared/domain.js';

/** A member row as stored in a sandbox Google group: a user, or a nested group. */
export interface StoredMember {
  readonly id: string;
  readonly email: string;
  readonly type: 'USER' | 'GROUP';
  readonly role: 'OWNER' | 'MANAGER' | 'MEMBER';
  readonly status: 'ACTIVE' | 'SUSPENDED';
}

/** The sandbox's Google Workspace: groups and their direct members (users or nested groups). */
export class GoogleDirectoryState {
  private readonly groups = new Map<string, { id: string; members: Map<string, StoredMember> }>();
  /** Each person's manager (the Directory user's `relations` of type `manager`), by email. */
  private readonly managers = new Map<string, string>();

  setManager(email: string, managerEmail: string): void {
    this.managers.set(email.toLowerCase(), managerEmail);
  }

  /** A Directory user (users.get): a member of some group, or someone's manager; else undefined. */
  user(email: string): { id: string; primaryEmail: string; manager?: string } | undefined {
    const key = email.toLowerCase();
    for (const g of this.groups.values()) {
      const m = g.members.get(key);
      if (m?.type === 'USER') return { id: m.id, primaryEmail: m.email, ...this.managerOf(key) };
    }
    for (const manager of this.managers.values())
      if (manager.toLowerCase() === key)
        return { id: `u-${key}`, primaryEmail: manager, ...this.managerOf(key) };
    if (this.managers.has(key))
      return { id: `u-${key}`, primaryEmail: email, ...this.managerOf(key) };
    return undefined;
  }

  private managerOf(key: string): { manager?: string } {
    const m = this.managers.get(key);
    return m ? { manager: m } : {};
  }

  addGroup(email: string, id: string): void {
    const key = email.toLowerCase();
    if (!this.groups.has(key)) this.groups.set(key, { id, members: new Map() });
  }

  hasGroup(email: string): boolean {
    return this.groups.has(email.toLowerCase());
  }

  groupId(email: string): string | undefined {
    return this.groups.get(email.toLowerCase())?.id;
  }

  addMember(groupEmail: string, member: StoredMember): void {
    const group = this.groups.get(groupEmail.toLowerCase());
    if (!group) throw new Error(`no such group ${groupEmail}`);
    group.members.set(member.email.toLowerCase(), member);
  }

  /** Removes a user from a group (not from nested ones); true if it was a direct member. */
  removeMember(groupEmail: string, memberEmail: string): boolean {
    return (
      this.groups.get(groupEmail.toLowerCase())?.members.delete(memberEmail.toLowerCase()) ?? false
    );
  }

  /** Removes every direct member of a group. */
  clear(groupEmail: string): void {
    this.groups.get(groupEmail.toLowerCase())?.members.clear();
  }

  directMembers(groupEmail: string): StoredMember[] {
    return [...(this.groups.get(groupEmail.toLowerCase())?.members.values() ?? [])];
  }

  /**
   * Members as the Directory API lists them. With `includeDerived`, nested groups are flattened
   * into their user members (each user once, cycles tolerated) and the nested group rows omitted;
   * without it, the direct members, nested groups included.
   */
  listMembers(groupEmail: string, includeDerived: boolean): GoogleMember[] {
    if (!includeDerived) return this.directMembers(groupEmail).map(toGoogleMember);
    const seenGroups = new Set<string>();
    const users = new Map<string, GoogleMember>();
    const visit = (email: string) => {
      const key = email.toLowerCase();
      if (seenGroups.has(key)) return;
      seenGroups.add(key);
      for (const m of this.directMembers(key)) {
        if (m.type === 'GROUP') visit(m.email);
        else if (!users.has(m.email.toLowerCase()))
          users.set(m.email.toLowerCase(), toGoogleMember(m));
      }
    };
    visit(groupEmail);
    return [...users.values()];
  }

  /** Every user email that is a member, directly or through nesting, of any of the groups. */
  entitledEmails(groupEmails: readonly string[]): Set<string> {
    const out = new Set<string>();
    for (const g of groupEmails)
      for (const m of this.listMembers(g, true)) out.add(m.email.toLowerCase());
    return out;
  }
}

function toGoogleMember(m: StoredMember): GoogleMember {
  return { id: m.id, email: m.email, type: m.type, role: m.role, status: m.status };
}
