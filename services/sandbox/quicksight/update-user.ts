import type { QuickSightUser } from '../../../shared/domain.js';
import { USER_ROLES } from './register-user.js';

/**
 * UpdateUser's request rules, as the real API applies them: `Email` and `Role` are required on
 * every call (the fields not sent keep their values), and a user QuickSight syncs from IAM
 * Identity Center cannot be written at all. Pure.
 */

/** The message QuickSight answers a user write on an IAM_IDENTITY_CENTER user with. */
export const IDENTITY_CENTER_REFUSAL =
  'Operation is disabled for identities managed by IAM Identity Center';

export interface UpdateUserBody {
  readonly Email?: unknown;
  readonly Role?: unknown;
}

export type UserUpdate =
  | { readonly ok: true; readonly change: Pick<QuickSightUser, 'email' | 'role'> }
  | { readonly ok: false; readonly message: string };

export function userUpdateOf(body: UpdateUserBody): UserUpdate {
  if (typeof body.Email !== 'string' || body.Email === '')
    return { ok: false, message: 'Email is required' };
  if (typeof body.Role !== 'string' || !(USER_ROLES as readonly string[]).includes(body.Role))
    return { ok: false, message: `Role must be one of ${USER_ROLES.join(', ')}` };
  return { ok: true, change: { email: body.Email, role: body.Role } };
}

/** Users QuickSight refuses DeleteUser, DeleteUserByPrincipalId and UpdateUser for. */
export function isManagedByIdentityCenter(user: Pick<QuickSightUser, 'identityType'>): boolean {
  return user.identityType === 'IAM_IDENTITY_CENTER';
}
