import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsConfig, AwsCredentials, ServiceRoles } from '../config/index.js';
import { ConfigError } from '../errors.js';
import { classifyAwsError } from './aws-errors.js';
import { currentRoleSessionName } from './role-session.js';

/**
 * The credentials of one service client. A service with a role (IDSYNC_<SERVICE>_ROLE_ARN)
 * assumes it through the SDK's own provider (`fromTemporaryCredentials`: STS AssumeRole with
 * IDSYNC_ROLE_EXTERNAL_ID and the run's session name, shared/aws/role-session.ts), signed with
 * the process's own credentials; the client refreshes them before they expire (the SDK asks
 * again within 5 minutes of the expiry). A service without one uses the process's own
 * credentials: the static ones given, else the SDK's provider chain. Every client factory
 * (shared/aws/clients.ts) gets its credentials here.
 */

/** The services that may assume their own role, and the variable that names it. */
export const ROLE_VARIABLES: Readonly<Record<keyof ServiceRoles, string>> = {
  quicksight: 'IDSYNC_QUICKSIGHT_ROLE_ARN',
  identitystore: 'IDSYNC_IDENTITYSTORE_ROLE_ARN',
  cloudtrail: 'IDSYNC_CLOUDTRAIL_ROLE_ARN',
};

/** The SDK's provider type (taken from the provider, so no further package is imported). */
type AwsCredentialIdentityProvider = ReturnType<typeof fromTemporaryCredentials>;
type AwsCredentialIdentity = Awaited<ReturnType<AwsCredentialIdentityProvider>>;

export type ServiceCredentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

/** What the STS client needs besides the role: where it is and how it signs. */
export type StsSettings = Pick<AwsConfig, 'region' | 'externalId'> & {
  readonly endpoint?: string;
  /** The process's own credentials; unset: the SDK's provider chain. */
  readonly credentials?: AwsCredentials;
  readonly requestHandler?: unknown;
};

/**
 * The `credentials` option of `service`'s client: its role's provider when one is configured,
 * otherwise a copy of `own` (the SDK annotates the object, and config objects are frozen), or
 * undefined for the SDK's chain.
 */
export function serviceCredentials(
  aws: AwsConfig,
  service: string,
  own: AwsCredentials | undefined,
  requestHandler?: unknown,
): ServiceCredentials | undefined {
  const roleArn = isRoleService(service) ? aws.roles?.[service] : undefined;
  if (roleArn === undefined) return own ? { ...own } : undefined;
  return assumedRoleCredentials(ROLE_VARIABLES[service as keyof ServiceRoles], roleArn, {
    region: aws.region,
    externalId: aws.externalId,
    endpoint: aws.endpoints.sts,
    credentials: own,
    requestHandler,
  });
}

function isRoleService(service: string): service is keyof ServiceRoles {
  return Object.hasOwn(ROLE_VARIABLES, service);
}

/**
 * A provider of `roleArn`'s credentials. The session name is read at each AssumeRole, so a
 * client kept across runs (a warm Lambda) opens a session named for the run that uses it.
 * STS refusing the role (a wrong or missing external id, a trust policy that does not name
 * idsync, a malformed ARN) is the operator's set-up: a ConfigError naming `variable`.
 */
export function assumedRoleCredentials(
  variable: string,
  roleArn: string,
  sts: StsSettings,
): AwsCredentialIdentityProvider {
  let named: { name: string; provider: AwsCredentialIdentityProvider } | undefined;
  return async (properties) => {
    const name = currentRoleSessionName();
    if (named?.name !== name) {
      const provider = fromTemporaryCredentials({
        params: {
          RoleArn: roleArn,
          RoleSessionName: name,
          ...(sts.externalId ? { ExternalId: sts.externalId } : {}),
        },
        ...(sts.credentials ? { masterCredentials: { ...sts.credentials } } : {}),
        clientConfig: {
          ...(sts.region ? { region: sts.region } : {}),
          ...(sts.endpoint ? { endpoint: sts.endpoint } : {}),
          ...(sts.requestHandler ? { requestHandler: sts.requestHandler } : {}),
        },
      });
      named = { name, provider };
    }
    try {
      return await named.provider(properties);
    } catch (error) {
      throw refusal(variable, roleArn, error) ?? error;
    }
  };
}

/** STS's refusals that no retry mends, as a ConfigError; undefined for anything else. */
function refusal(variable: string, roleArn: string, error: unknown): ConfigError | undefined {
  const info = classifyAwsError(error);
  const fault = (error as { $fault?: unknown }).$fault;
  if (info.retryable || fault !== 'client') return undefined;
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new ConfigError(
    variable,
    `STS refused to let idsync assume ${roleArn} (${detail}); check ${variable}, IDSYNC_ROLE_EXTERNAL_ID and the role's trust policy`,
  );
}
