import type { QuickSightUser } from '../../../shared/domain.js';
import { mixedCaseEmail } from './names.js';
import type { FederationRole, PersonKind } from './org-types.js';
import { type Random, randomChars, randomHex } from './random.js';

/** A QuickSight user before registration (the state derives the ARN). */
export type NewQuickSightUser = Omit<QuickSightUser, 'arn'>;

/** `AWSReservedSSO_<permissionSet>_<16 hex>` with a role id `AROA` + 17 upper-case alphanumerics. */
export function federationRole(random: Random, permissionSet: string): FederationRole {
  return {
    name: `AWSReservedSSO_${permissionSet}_${randomHex(random, 16)}`,
    id: `AROA${randomChars(random, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 17)}`,
  };
}

/** An IAM-federated user as QuickSight registers it on first sign-in: `<role>/<session = email>`. */
export function iamUser(
  role: FederationRole,
  email: string,
  quickSightRole: string,
): NewQuickSightUser {
  return {
    userName: `${role.name}/${email}`,
    email,
    role: quickSightRole,
    identityType: 'IAM',
    principalId: `federated/iam/${role.id}:${email}`,
    active: true,
  };
}

export interface QuickSightUserContext {
  readonly kind: PersonKind;
  readonly email: string;
  readonly mixedCase: boolean;
  readonly roles: {
    readonly reader: FederationRole;
    readonly author: FederationRole;
    readonly admin: FederationRole;
  };
  /** The Reader role of an earlier permission-set deployment (some strangers signed in through it). */
  readonly formerReaderRole: FederationRole;
  /** For QUICKSIGHT-native users. */
  readonly shortName: string;
  /** For IAM_IDENTITY_CENTER users. */
  readonly idcUserId?: string;
  readonly identityStoreId: string;
  /** IAM_IDENTITY_CENTER user listed with user name `N/A`. */
  readonly nameUnavailable: boolean;
  readonly random: Random;
}

/** The QuickSight users a person of this kind holds (none for IdC-only people). */
export function quickSightUsersFor(ctx: QuickSightUserContext): NewQuickSightUser[] {
  const { roles, email } = ctx;
  switch (ctx.kind) {
    case 'reader':
      return [iamUser(roles.reader, ctx.mixedCase ? mixedCaseEmail(email) : email, 'READER')];
    case 'analyst':
    case 'analyst-and-reader':
      return [iamUser(roles.reader, email, 'READER')];
    case 'native':
      return [
        {
          userName: ctx.shortName,
          email,
          role: 'READER',
          identityType: 'QUICKSIGHT',
          active: true,
        },
      ];
    case 'identity-center':
      return [
        {
          userName: ctx.nameUnavailable ? 'N/A' : email,
          email,
          role: 'READER',
          identityType: 'IAM_IDENTITY_CENTER',
          principalId: `user/${ctx.identityStoreId}/${ctx.idcUserId ?? ''}`,
          active: true,
        },
      ];
    case 'author':
      return [iamUser(roles.author, email, 'AUTHOR')];
    case 'author-and-reader':
      return [iamUser(roles.author, email, 'AUTHOR'), iamUser(roles.reader, email, 'READER')];
    case 'admin':
      return [iamUser(roles.admin, email, 'ADMIN')];
    case 'stranger':
      return [iamUser(ctx.random() < 0.5 ? ctx.formerReaderRole : roles.reader, email, 'READER')];
    case 'idc-only':
      return [];
  }
}
