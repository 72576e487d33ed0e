import { createHash } from 'node:crypto';
import type { QuickSightUser } from '../../../shared/domain.js';

/**
 * RegisterUser's request rules, as the real API applies them: how the user name is derived for
 * IAM identities (`<role name>/<SessionName>`), which roles and identity types exist, and the
 * principal id QuickSight assigns. Pure: returns the user to store, or the problem.
 */

export const USER_ROLES = [
  'ADMIN',
  'AUTHOR',
  'READER',
  'RESTRICTED_AUTHOR',
  'RESTRICTED_READER',
  'ADMIN_PRO',
  'AUTHOR_PRO',
  'READER_PRO',
] as const;

export const IDENTITY_TYPES = ['IAM', 'QUICKSIGHT', 'IAM_IDENTITY_CENTER'] as const;

export interface RegisterUserBody {
  readonly IdentityType?: unknown;
  readonly Email?: unknown;
  readonly UserRole?: unknown;
  readonly IamArn?: unknown;
  readonly SessionName?: unknown;
  readonly UserName?: unknown;
}

export type RegisterDecision =
  | { readonly ok: true; readonly user: Omit<QuickSightUser, 'arn'> }
  | { readonly ok: false; readonly message: string };

export function registrationOf(body: RegisterUserBody): RegisterDecision {
  const { IdentityType: identityType, Email: email, UserRole: role } = body;
  if (!isOneOf(IDENTITY_TYPES, identityType))
    return invalid(`IdentityType must be one of ${IDENTITY_TYPES.join(', ')}`);
  if (!isOneOf(USER_ROLES, role))
    return invalid(`UserRole must be one of ${USER_ROLES.join(', ')}`);
  if (typeof email !== 'string' || email === '') return invalid('Email is required');
  const userName = userNameOf(identityType, body);
  if (typeof userName !== 'string') return userName;
  return {
    ok: true,
    user: {
      userName,
      email,
      role,
      identityType,
      principalId: principalIdOf(identityType, `${userName}|${email}`, userName),
      active: identityType !== 'QUICKSIGHT',
    },
  };
}

function userNameOf(
  identityType: (typeof IDENTITY_TYPES)[number],
  body: RegisterUserBody,
): string | { ok: false; message: string } {
  if (identityType === 'IAM') {
    if (
      typeof body.IamArn !== 'string' ||
      !/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\//.test(body.IamArn)
    )
      return invalid('IamArn must be the ARN of an IAM role or user');
    const name = body.IamArn.split('/').at(-1) ?? '';
    if (body.IamArn.includes(':role/') && typeof body.SessionName === 'string' && body.SessionName)
      return `${name}/${body.SessionName}`;
    return name;
  }
  if (typeof body.UserName === 'string' && body.UserName !== '') return body.UserName;
  return identityType === 'IAM_IDENTITY_CENTER' ? 'N/A' : invalid('UserName is required');
}

/** A stable, realistic-looking principal id (`federated/iam/AROA…:session`, `user/d-…/…`). */
function principalIdOf(identityType: string, seed: string, userName: string): string {
  const digest = createHash('sha256').update(seed).digest('hex');
  if (identityType === 'IAM') {
    const [, session] = userName.split('/');
    return `federated/iam/AROA${digest.slice(0, 17).toUpperCase()}${session ? `:${session}` : ''}`;
  }
  return `user/d-${digest.slice(0, 10)}/${digest.slice(10, 18)}-${digest.slice(18, 22)}-${digest.slice(22, 26)}-${digest.slice(26, 30)}-${digest.slice(30, 42)}`;
}

function isOneOf<T extends string>(allowed: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value);
}

function invalid(message: string): { ok: false; message: string } {
  return { ok: false, message };
}
