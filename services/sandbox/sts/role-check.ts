import type { IncomingMessage } from 'node:http';
import { roleArnAccount } from '../../../shared/aws/role-arn.js';
import type { CallerCheck, CallerRefusal } from '../http/signed-by.js';
import { accessKeyOf, sessionTokenOf } from '../http/signed-by.js';
import type { StsState } from './sts-state.js';

/**
 * A stand-in's check that each call is signed with credentials of `roleArn` that the STS
 * stand-in issued and that have not expired: how the sandbox proves a client assumed its role
 * (start-sandbox.ts's `roles`). Refusals read as AWS's: an unknown key or a token that does not
 * match is `UnrecognizedClientException`, an expired session `ExpiredTokenException`, another
 * role's session `AccessDeniedException`.
 */
export function signedByRole(
  sts: StsState,
  roleArn: string,
  options: { readonly otherAccount?: OtherAccountCaller } = {},
): CallerCheck {
  return (req, operation) => {
    const key = accessKeyOf(req) ?? '';
    const other = options.otherAccount;
    const refusal =
      other && key === other.accessKeyId
        ? {
            code: 'AccessDeniedException' as const,
            message: `User: ${other.principalArn} is not authorized to perform: ${operation} on resource: ${other.resourceArn} because no resource-based policy allows the ${operation} action`,
          }
        : refusalOf(sts, roleArn, operation, req);
    return recorded(sts, operation, key, refusal);
  };
}

/**
 * Long-term credentials of another account (the sandbox's own, in its two-account layout) that
 * the service knows but that hold no rights on its resources: refused AccessDenied, as AWS refuses
 * a principal of another account calling a resource with no policy that lets it.
 */
export interface OtherAccountCaller {
  readonly accessKeyId: string;
  /** `arn:aws:iam::<account>:user/<name>`: who the refusal names. */
  readonly principalArn: string;
  /** The resource the call was made on, as the refusal names it. */
  readonly resourceArn: string;
}

function refusalOf(
  sts: StsState,
  roleArn: string,
  operation: string,
  req: IncomingMessage,
): CallerRefusal | undefined {
  const session = sts.session(accessKeyOf(req) ?? '');
  if (!session || session.sessionToken !== sessionTokenOf(req))
    return {
      code: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    };
  if (sts.expired(session))
    return {
      code: 'ExpiredTokenException',
      message: 'The security token included in the request is expired',
    };
  if (session.roleArn !== roleArn)
    return {
      code: 'AccessDeniedException',
      message: `User: ${session.assumedRoleArn} is not authorized to perform: ${operation}`,
    };
  return undefined;
}

/**
 * A check for an account reached with the process's own credentials (the sandbox's home
 * QuickSight account when it has no role): any signer but a session of a role in another
 * account, which AWS refuses there (AccessDenied: its rights are that account's). Every call is
 * recorded, as `signedByRole`'s are, so a test sees who called which account.
 */
export function signedInAccount(sts: StsState, accountId: string): CallerCheck {
  return (req, operation) => {
    const key = accessKeyOf(req) ?? '';
    const session = sts.session(key);
    const refusal =
      session && roleArnAccount(session.roleArn) !== accountId
        ? {
            code: 'AccessDeniedException' as const,
            message: `User: ${session.assumedRoleArn} is not authorized to perform: ${operation} on resources of account ${accountId}`,
          }
        : undefined;
    return recorded(sts, operation, key, refusal);
  };
}

/** Records a call (who signed it, whether it was refused) and passes the refusal on. */
function recorded(
  sts: StsState,
  operation: string,
  key: string,
  refusal: CallerRefusal | undefined,
): CallerRefusal | undefined {
  const session = sts.session(key);
  sts.recordCall({
    operation,
    accessKeyId: key,
    ...(session ? { roleArn: session.roleArn } : {}),
    ...(refusal ? { refused: refusal.code } : {}),
  });
  return refusal;
}
