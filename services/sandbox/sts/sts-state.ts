import { randomBytes } from 'node:crypto';

/**
 * What the STS stand-in knows: the roles that may be assumed (each with the external id its trust
 * policy requires, if any), the sessions it issued, and a record of every AssumeRole asked (who
 * assumed what, with which external id, signed with which credentials, when), refused ones
 * included. Its clock is read at each use (`now`), so a test that moves the clock moves it here.
 */

/** A role the stand-in lets anyone with credentials assume (its trust policy, reduced). */
export interface SandboxRole {
  readonly roleArn: string;
  /** The `sts:ExternalId` the trust policy requires; unset: none required. */
  readonly externalId?: string;
}

export interface AssumeRoleRequest {
  readonly roleArn: string;
  readonly sessionName: string;
  readonly externalId?: string;
  readonly durationSeconds?: number;
}

/** One AssumeRole call, as the stand-in recorded it. */
export interface AssumeRoleRecord {
  readonly roleArn: string;
  readonly sessionName: string;
  readonly externalId?: string;
  /** Access key id of the credentials the call was signed with. */
  readonly sourceAccessKeyId: string;
  /** ISO time of the call. */
  readonly at: string;
  /** The issued session's access key id; unset when refused. */
  readonly accessKeyId?: string;
  readonly expiresAt?: string;
  /** The error code when refused (`AccessDenied`, `ValidationError`). */
  readonly refused?: string;
}

export interface IssuedSession {
  readonly roleArn: string;
  readonly sessionName: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiresAtMs: number;
  /** `arn:aws:sts::<account>:assumed-role/<role name>/<session name>` */
  readonly assumedRoleArn: string;
  readonly assumedRoleId: string;
}

/** One call a service stand-in checked against a role (services/sandbox/sts/role-check.ts). */
export interface SignedCall {
  /** The service's action, `quicksight:ListUsers`. */
  readonly operation: string;
  readonly accessKeyId: string;
  /** The role of the session that signed it; unset for keys STS did not issue. */
  readonly roleArn?: string;
  readonly at: string;
  /** The refusal's code, when refused. */
  readonly refused?: string;
}

export type StsRefusal = {
  readonly code: 'AccessDenied' | 'ValidationError';
  readonly message: string;
};

/** STS's bounds of DurationSeconds, and its default. */
export const DURATION_SECONDS = { min: 900, max: 43_200, fallback: 3600 } as const;

export class StsState {
  private readonly roles = new Map<string, SandboxRole>();
  private readonly sessions = new Map<string, IssuedSession>();
  private readonly log: AssumeRoleRecord[] = [];
  private readonly checked: SignedCall[] = [];
  /**
   * A control: sessions last this many seconds, whatever was asked (below STS's 900-second
   * minimum too), so a test can run longer than a role session. Unset: as asked.
   */
  sessionSeconds: number | undefined;

  constructor(
    readonly accountId: string,
    private readonly now: () => number = () => Date.now(),
  ) {}

  addRole(role: SandboxRole): void {
    this.roles.set(role.roleArn, role);
  }

  /** Every AssumeRole asked so far, oldest first. */
  get assumed(): readonly AssumeRoleRecord[] {
    return [...this.log];
  }

  /** Every call a service stand-in checked for its role, oldest first. */
  get calls(): readonly SignedCall[] {
    return [...this.checked];
  }

  recordCall(call: Omit<SignedCall, 'at'>): void {
    this.checked.push({ ...call, at: new Date(this.now()).toISOString() });
  }

  /** The session whose access key id this is, if the stand-in issued it. */
  session(accessKeyId: string): IssuedSession | undefined {
    return this.sessions.get(accessKeyId);
  }

  /** Whether the session of `accessKeyId` has expired by the stand-in's clock. */
  expired(session: IssuedSession): boolean {
    return this.now() >= session.expiresAtMs;
  }

  /**
   * AssumeRole signed with `sourceAccessKeyId`, whose caller is `callerArn`: the new session,
   * or STS's refusal (an unknown role and a wrong or missing external id read the same, as
   * STS does not say which).
   */
  assumeRole(
    request: AssumeRoleRequest,
    sourceAccessKeyId: string,
    callerArn: string,
  ): IssuedSession | StsRefusal {
    // One reading of the clock: the record's time and the session's expiry agree.
    const nowMs = this.now();
    const at = new Date(nowMs).toISOString();
    const base = {
      roleArn: request.roleArn,
      sessionName: request.sessionName,
      ...(request.externalId !== undefined ? { externalId: request.externalId } : {}),
      sourceAccessKeyId,
      at,
    };
    const role = this.roles.get(request.roleArn);
    if (!role || (role.externalId !== undefined && role.externalId !== request.externalId)) {
      this.log.push({ ...base, refused: 'AccessDenied' });
      return {
        code: 'AccessDenied',
        message: `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${request.roleArn}`,
      };
    }
    const seconds = this.sessionSeconds ?? request.durationSeconds ?? DURATION_SECONDS.fallback;
    const roleName = request.roleArn.slice(request.roleArn.lastIndexOf('/') + 1);
    const account = /:iam::(\d{12}):/.exec(request.roleArn)?.[1] ?? this.accountId;
    const roleId = `AROA${randomBytes(8).toString('hex').toUpperCase()}`;
    const session: IssuedSession = {
      roleArn: request.roleArn,
      sessionName: request.sessionName,
      accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(20).toString('base64'),
      sessionToken: randomBytes(48).toString('base64'),
      expiresAtMs: nowMs + seconds * 1000,
      assumedRoleArn: `arn:aws:sts::${account}:assumed-role/${roleName}/${request.sessionName}`,
      assumedRoleId: `${roleId}:${request.sessionName}`,
    };
    this.sessions.set(session.accessKeyId, session);
    this.log.push({
      ...base,
      accessKeyId: session.accessKeyId,
      expiresAt: new Date(session.expiresAtMs).toISOString(),
    });
    return session;
  }

  /** Records a request STS refused before looking at the role (a malformed parameter). */
  recordRefusal(request: Partial<AssumeRoleRequest>, sourceAccessKeyId: string, code: string) {
    this.log.push({
      roleArn: request.roleArn ?? '',
      sessionName: request.sessionName ?? '',
      ...(request.externalId !== undefined ? { externalId: request.externalId } : {}),
      sourceAccessKeyId,
      at: new Date(this.now()).toISOString(),
      refused: code,
    });
  }
}
