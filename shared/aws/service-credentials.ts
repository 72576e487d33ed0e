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
 * The `credentials` option of `service`'s client: its role's provider when one is configured
 * (or `role`, a client's own: a QuickSight account's of IDSYNC_QUICKSIGHT_ACCOUNTS), otherwise a
 * copy of `own` (the SDK annotates the object, and config objects are frozen), or undefined for
 * the SDK's chain.
 */
export function serviceCredentials(
  aws: AwsConfig,
  service: string,
  own: AwsCredentials | undefined,
  requestHandler?: unknown,
  role?: { readonly roleArn: string; readonly variable: string },
): ServiceCredentials | undefined {
  const roleArn = role?.roleArn ?? (isRoleService(service) ? aws.roles?.[service] : undefined);
  if (roleArn === undefined) return own ? { ...own } : undefined;
  const variable = role?.variable ?? ROLE_VARIABLES[service as keyof ServiceRoles];
  return assumedRoleCredentials(variable, roleArn, {
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

/** How long before their expiry credentials are refreshed: the SDK clients' own margin. */
export const REFRESH_MARGIN_MS = 5 * 60_000;

/** One provider per role and STS set-up in this process, so the clients of a run share a session. */
const providers = new Map<string, AwsCredentialIdentityProvider>();

/**
 * A provider of `roleArn`'s credentials, shared by every client that assumes the same role the
 * same way: one AssumeRole per role and run, asked again within REFRESH_MARGIN_MS of the
 * session's expiry, and when the run's session name changes (a warm Lambda's next run).
 * STS refusing the role (a wrong or missing external id, a trust policy that does not name
 * idsync, a malformed ARN) is the operator's set-up: a ConfigError naming `variable`.
 */
export function assumedRoleCredentials(
  variable: string,
  roleArn: string,
  sts: StsSettings,
): AwsCredentialIdentityProvider {
  const key = JSON.stringify([
    variable,
    roleArn,
    sts.externalId ?? null,
    sts.endpoint ?? null,
    sts.region ?? null,
    sts.credentials?.accessKeyId ?? null,
  ]);
  let provider = providers.get(key);
  if (!provider) {
    provider = roleProvider(variable, roleArn, sts);
    providers.set(key, provider);
  }
  return provider;
}

function roleProvider(
  variable: string,
  roleArn: string,
  sts: StsSettings,
): AwsCredentialIdentityProvider {
  let named: { name: string; provider: AwsCredentialIdentityProvider } | undefined;
  let held: { name: string; credentials: Promise<AwsCredentialIdentity> } | undefined;
  return (properties) => {
    const name = currentRoleSessionName();
    if (held?.name !== name) return ask(name);
    const pending = held.credentials;
    return pending.then((c) => {
      if (fresh(c)) return c;
      // Another call has already asked for the next session: share it.
      if (held && held.name === name && held.credentials !== pending) return held.credentials;
      return ask(name);
    });

    function ask(sessionName: string): Promise<AwsCredentialIdentity> {
      if (named?.name !== sessionName) {
        named = {
          name: sessionName,
          provider: fromTemporaryCredentials({
            params: {
              RoleArn: roleArn,
              RoleSessionName: sessionName,
              ...(sts.externalId ? { ExternalId: sts.externalId } : {}),
            },
            ...(sts.credentials ? { masterCredentials: { ...sts.credentials } } : {}),
            clientConfig: {
              ...(sts.region ? { region: sts.region } : {}),
              ...(sts.endpoint ? { endpoint: sts.endpoint } : {}),
              ...(sts.requestHandler ? { requestHandler: sts.requestHandler } : {}),
            },
          }),
        };
      }
      const credentials = named.provider(properties).catch((error: unknown) => {
        // A failed AssumeRole is not kept: the next call asks again.
        if (held?.credentials === credentials) held = undefined;
        throw refusal(variable, roleArn, error) ?? error;
      });
      held = { name: sessionName, credentials };
      return credentials;
    }
  };
}

/** Credentials that stay valid beyond the refresh margin (no expiry: forever). */
function fresh(credentials: AwsCredentialIdentity): boolean {
  const expiration = credentials.expiration?.getTime();
  return expiration === undefined || expiration - Date.now() > REFRESH_MARGIN_MS;
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
