import fc from 'fast-check';
import type { QuickSightUser } from '../../../../shared/domain.js';

/** QuickSight users and emails for the plan tests, shaped as ListUsers returns them. */

const ARN_PREFIX = 'arn:aws:quicksight:us-east-1:123456789012:user/default/';
export const READER_ROLE_NAME = 'AWSReservedSSO_QuickSightReader_0123456789abcdef';
export const AUTHOR_ROLE_NAME = 'AWSReservedSSO_QuickSightAuthor_fedcba9876543210';

/** An IAM-federated user `<role>/<email>`, as QuickSight names users who sign in through a role. */
export function iamUser(roleName: string, email: string, role = 'READER'): QuickSightUser {
  const userName = `${roleName}/${email}`;
  return {
    userName,
    email,
    role,
    identityType: 'IAM',
    principalId: `federated/iam/AROAEXAMPLE:${email}`,
    arn: `${ARN_PREFIX}${userName}`,
  };
}

/** A QUICKSIGHT-native user, named by its email or by any other name. */
export function nativeUser(userName: string, email?: string, role = 'READER'): QuickSightUser {
  return {
    userName,
    ...(email === undefined ? {} : { email }),
    role,
    identityType: 'QUICKSIGHT',
    arn: `${ARN_PREFIX}${userName}`,
  };
}

/** An IAM_IDENTITY_CENTER user; `userName` may be `N/A`. */
export function idcUser(
  userName: string,
  email: string | undefined,
  principalId: string,
  role = 'READER',
): QuickSightUser {
  return {
    userName,
    ...(email === undefined ? {} : { email }),
    role,
    identityType: 'IAM_IDENTITY_CENTER',
    principalId,
    arn: `${ARN_PREFIX}${userName === 'N/A' ? principalId : userName}`,
  };
}

const localChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789._+-'.split(''));
const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);

/** Normalised emails that are also valid IAM session names (so `role/email` is a real user name). */
export const emailArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.array(localChar, { minLength: 1, maxLength: 12 }).map((cs) => cs.join('')),
    fc.array(label, { minLength: 1, maxLength: 2 }),
    fc.constantFrom('com', 'org', 'example', 'co'),
  )
  .map(([local, labels, tld]) => `${local}@${[...labels, tld].join('.')}`);

/** The same email written full-width (U+FF01..U+FF5E) where `mask` says so, upper-cased where `upper` says so. */
export function disguise(
  email: string,
  mask: readonly boolean[],
  upper: readonly boolean[],
): string {
  return [...email]
    .map((ch, i) => {
      const cased = upper[i % Math.max(upper.length, 1)] ? ch.toUpperCase() : ch;
      const code = cased.charCodeAt(0);
      return mask[i % Math.max(mask.length, 1)] && code >= 0x21 && code <= 0x7e
        ? String.fromCharCode(code + 0xfee0)
        : cased;
    })
    .join('');
}
