import { createHash } from 'node:crypto';
import type { GoogleDirectoryState } from '../state/google-state.js';
import { type GoogleApiErrorSpec, GoogleApiErrors, invalidInput, notFound } from './wire.js';

/**
 * The Directory API's member writes, as the real API applies them, over the sandbox state:
 * `members.delete` (DELETE …/groups/{groupKey}/members/{memberKey}: 204, no body) and
 * `members.insert` (POST …/groups/{groupKey}/members with `{ email, role }`: 200 and the member).
 * Both need a token granted `admin.directory.group.member` (or the wider `admin.directory.group`);
 * a read-only grant gets Google's 403 `insufficientPermissions`. An unknown group or member is
 * 404 `notFound`, an existing member 409 `duplicate`. Pure over the state.
 */

/** Scopes whose tokens may write group members. */
export const MEMBER_WRITE_SCOPES: readonly string[] = [
  'https://www.googleapis.com/auth/admin.directory.group.member',
  'https://www.googleapis.com/auth/admin.directory.group',
];

export function mayWriteMembers(scopes: readonly string[]): boolean {
  return scopes.some((s) => MEMBER_WRITE_SCOPES.includes(s));
}

export type MemberWrite =
  | { readonly op: 'delete'; readonly groupKey: string; readonly memberKey: string }
  | { readonly op: 'insert'; readonly groupKey: string; readonly body: unknown };

export type MemberWriteAnswer =
  | { readonly status: 200; readonly member: StoredMemberView }
  | { readonly status: 204 }
  | { readonly error: GoogleApiErrorSpec };

export interface StoredMemberView {
  readonly id: string;
  readonly email: string;
  readonly type: 'USER' | 'GROUP';
  readonly role: 'OWNER' | 'MANAGER' | 'MEMBER';
  readonly status: 'ACTIVE' | 'SUSPENDED';
}

const ROLES = ['OWNER', 'MANAGER', 'MEMBER'] as const;

export function performMemberWrite(
  state: GoogleDirectoryState,
  write: MemberWrite,
): MemberWriteAnswer {
  if (!state.hasGroup(write.groupKey)) return { error: notFound('groupKey') };
  if (write.op === 'delete')
    return state.removeMember(write.groupKey, write.memberKey)
      ? { status: 204 }
      : { error: notFound('memberKey') };
  const body = (typeof write.body === 'object' && write.body !== null ? write.body : {}) as {
    email?: unknown;
    role?: unknown;
  };
  if (typeof body.email !== 'string' || !body.email.includes('@'))
    return { error: invalidInput('memberKey') };
  const role = body.role === undefined ? 'MEMBER' : body.role;
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role))
    return { error: invalidInput('role') };
  const exists = state
    .directMembers(write.groupKey)
    .some((m) => m.email.toLowerCase() === (body.email as string).toLowerCase());
  if (exists) return { error: GoogleApiErrors.memberExists };
  const member: StoredMemberView = {
    id: memberIdOf(body.email),
    email: body.email,
    type: state.hasGroup(body.email) ? 'GROUP' : 'USER',
    role: role as StoredMemberView['role'],
    status: 'ACTIVE',
  };
  state.addMember(write.groupKey, member);
  return { status: 200, member };
}

/** A stable 21-digit id, as Google's member ids look. */
function memberIdOf(email: string): string {
  const digest = createHash('sha256').update(email.toLowerCase()).digest();
  return `1${(digest.readBigUInt64BE(0) % 10n ** 20n).toString().padStart(20, '0')}`;
}
