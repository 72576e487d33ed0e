import { rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Faults } from '../http/faults.js';
import { decodePageToken, encodePageToken, FIRST_PAGE, type PageCursor } from '../http/paging.js';
import { delay, sendJson, startServer } from '../http/server.js';
import type { StandIn, StandInOptions } from '../http/stand-in.js';
import type { GoogleDirectoryState } from '../state/google-state.js';
import {
  AccessTokens,
  evaluateTokenRequest,
  GOOGLE_TOKEN_AUDIENCE,
  type Grant,
  type GrantExpectations,
  isRefusal,
} from './jwt-bearer-grant.js';
import { ListingSnapshots } from './listing-snapshots.js';
import {
  MEMBER_WRITE_SCOPES,
  type MemberWrite,
  mayWriteMembers,
  performMemberWrite,
} from './member-writes.js';
import { createServiceAccount, serviceAccountKeyJson, writeKeyFile } from './service-account.js';
import {
  type GoogleApiErrorSpec,
  GoogleApiErrors,
  invalidInput,
  membersListToWire,
  memberToWire,
  notFound,
  sendGoogleError,
} from './wire.js';

/**
 * The Google Admin Directory stand-in: `members.list`, `members.insert` and `members.delete`
 * (./member-writes.ts: a token granted the `.member` scope) of the groups in a GoogleDirectoryState,
 * behind real OAuth2 service-account auth. On start it makes an RSA key pair and writes a
 * service-account JSON key whose `token_uri` is this stand-in's `/token`, where the JWT-bearer
 * grant is verified (RS256, iss, aud, iat/exp, sub, scope) before a bearer token is handed out.
 * Listing calls go through the fault knobs (page = 1-based page of the listing); the token
 * endpoint does not.
 */

export const GOOGLE_MAX_RESULTS = 200;
export const KEY_FILE_NAME = 'service-account.json';

export interface GoogleStandInOptions extends StandInOptions {
  /** Folder the key file is written to; the caller owns (and removes) the folder. */
  readonly keyDir: string;
  readonly clientEmail?: string;
  /** Admins the service account may impersonate (`sub`); default: any. */
  readonly allowedSubjects?: readonly string[];
  /** Scopes granted by domain-wide delegation (./jwt-bearer-grant.ts); default: every member scope. */
  readonly delegatedScopes?: readonly string[];
}

export interface GoogleStandIn extends StandIn {
  /** Admin SDK root URL for the client, e.g. `http://127.0.0.1:PORT/`. */
  readonly rootUrl: string;
  /** The service-account JSON key file (mode 0600); removed by `close()`. */
  readonly credentialsPath: string;
  readonly tokenUri: string;
  /** How many access tokens the token endpoint has handed out. */
  issuedTokens(): number;
}

const MEMBERS_PATH = /^\/admin\/directory\/v1\/groups\/([^/]+)\/members$/;
const USER_PATH = /^\/admin\/directory\/v1\/users\/([^/]+)$/;
/** users.get needs a user scope (read-only is enough); the member scopes do not cover it. */
const USER_READ_SCOPES = [
  'https://www.googleapis.com/auth/admin.directory.user.readonly',
  'https://www.googleapis.com/auth/admin.directory.user',
];
const MEMBER_PATH = /^\/admin\/directory\/v1\/groups\/([^/]+)\/members\/([^/]+)$/;
const WWW_AUTHENTICATE = 'Bearer realm="https://accounts.google.com/"';

interface MembersQuery {
  readonly groupKey: string;
  readonly maxResults: number;
  readonly cursor: PageCursor;
  readonly includeDerived: boolean;
}

export async function startGoogleStandIn(
  state: GoogleDirectoryState,
  options: GoogleStandInOptions,
): Promise<GoogleStandIn> {
  const faults = new Faults(options.faults, options.random);
  const account = createServiceAccount(options.clientEmail);
  const tokens = new AccessTokens();
  const audiences: string[] = [GOOGLE_TOKEN_AUDIENCE];
  const expectations: GrantExpectations = {
    publicKey: account.publicKey,
    clientEmail: account.clientEmail,
    audiences,
    ...(options.allowedSubjects ? { allowedSubjects: options.allowedSubjects } : {}),
    ...(options.delegatedScopes ? { delegatedScopes: options.delegatedScopes } : {}),
  };
  const listings = new ListingSnapshots();
  let throttleAnswers = 0;

  const answerToken = (res: ServerResponse, body: Buffer) => {
    const outcome = evaluateTokenRequest(
      new URLSearchParams(body.toString('utf8')),
      expectations,
      Math.floor(Date.now() / 1000),
    );
    if (isRefusal(outcome))
      return sendJson(res, outcome.status, {
        error: outcome.error,
        error_description: outcome.description,
      });
    const { token, expiresIn } = tokens.issue(outcome, Date.now());
    sendJson(
      res,
      200,
      { access_token: token, expires_in: expiresIn, token_type: 'Bearer' },
      { 'cache-control': 'no-cache, no-store, max-age=0, must-revalidate' },
    );
  };

  /** The caller's grant, after auth and the fault knobs; undefined when the answer is sent. */
  const admit = async (
    req: IncomingMessage,
    res: ServerResponse,
    page: number | undefined,
  ): Promise<Grant | undefined> => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer) {
      sendGoogleError(res, GoogleApiErrors.missingCredentials, {
        'www-authenticate': WWW_AUTHENTICATE,
      });
      return undefined;
    }
    const grant = tokens.lookup(bearer, Date.now());
    if (!grant) {
      sendGoogleError(res, GoogleApiErrors.invalidCredentials, {
        'www-authenticate': `${WWW_AUTHENTICATE}, error="invalid_token"`,
      });
      return undefined;
    }
    const action = faults.decide(page);
    await delay(faults.latencyMs);
    if (action.kind === 'reset') {
      req.socket.destroy();
      return undefined;
    }
    if (action.kind === 'throttle') {
      const spec =
        throttleAnswers++ % 2 === 0
          ? GoogleApiErrors.quotaExceeded
          : GoogleApiErrors.userRateLimitExceeded;
      const retryAfter: Record<string, string> = action.retryAfterSeconds
        ? { 'retry-after': String(Math.ceil(action.retryAfterSeconds)) }
        : {};
      sendGoogleError(res, spec, retryAfter);
      return undefined;
    }
    if (action.kind === 'error') {
      sendGoogleError(res, GoogleApiErrors.backendError);
      return undefined;
    }
    return grant;
  };

  const answerWrite = async (req: IncomingMessage, res: ServerResponse, write: MemberWrite) => {
    const grant = await admit(req, res, undefined);
    if (!grant) return;
    if (!mayWriteMembers(grant.scopes))
      return sendGoogleError(res, GoogleApiErrors.insufficientScope, {
        'www-authenticate': `${WWW_AUTHENTICATE}, error="insufficient_scope", scope="${MEMBER_WRITE_SCOPES[0]}"`,
      });
    const answer = performMemberWrite(state, write);
    if ('error' in answer) return sendGoogleError(res, answer.error);
    if (answer.status === 204) {
      res.writeHead(204);
      return void res.end();
    }
    sendJson(res, 200, memberToWire(answer.member));
  };

  /** users.get: the user with its `relations` (the manager), 404 for an unknown user. */
  const answerUser = async (req: IncomingMessage, res: ServerResponse, encodedKey: string) => {
    const grant = await admit(req, res, undefined);
    if (!grant) return;
    if (!grant.scopes.some((s) => USER_READ_SCOPES.includes(s)))
      return sendGoogleError(res, GoogleApiErrors.insufficientScope, {
        'www-authenticate': `${WWW_AUTHENTICATE}, error="insufficient_scope", scope="${USER_READ_SCOPES[0]}"`,
      });
    const keys = decodeKeys(encodedKey, '');
    const found = keys && state.user(keys[0]);
    if (!found) return sendGoogleError(res, notFound('userKey'));
    sendJson(res, 200, {
      kind: 'admin#directory#user',
      id: found.id,
      primaryEmail: found.primaryEmail,
      ...(found.manager ? { relations: [{ type: 'manager', value: found.manager }] } : {}),
    });
  };

  const answerMembers = async (req: IncomingMessage, res: ServerResponse, query: MembersQuery) => {
    if (!(await admit(req, res, query.cursor.page))) return;
    if (!state.hasGroup(query.groupKey)) return sendGoogleError(res, notFound('groupKey'));
    const page = listings.page(
      `${query.groupKey.toLowerCase()}|${query.includeDerived}`,
      query.cursor,
      query.maxResults,
      () => state.listMembers(query.groupKey, query.includeDerived),
    );
    sendJson(res, 200, membersListToWire(page.items, page.next && encodePageToken(page.next)));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/token' && req.method === 'POST') return answerToken(res, body);
    const user = USER_PATH.exec(url.pathname);
    if (user?.[1] && req.method === 'GET') return answerUser(req, res, user[1]);
    const one = MEMBER_PATH.exec(url.pathname);
    if (one?.[1] && one[2] && req.method === 'DELETE') {
      const keys = decodeKeys(one[1], one[2]);
      if (!keys) return sendGoogleError(res, invalidInput('memberKey'));
      return answerWrite(req, res, { op: 'delete', groupKey: keys[0], memberKey: keys[1] });
    }
    const match = MEMBERS_PATH.exec(url.pathname);
    if (match?.[1] && req.method === 'POST') {
      const keys = decodeKeys(match[1], '');
      if (!keys) return sendGoogleError(res, invalidInput('groupKey'));
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8') || '{}');
      } catch {
        return sendGoogleError(res, invalidInput('body'));
      }
      return answerWrite(req, res, { op: 'insert', groupKey: keys[0], body: parsed });
    }
    if (!match?.[1] || req.method !== 'GET') return sendGoogleError(res, notFound(url.pathname));
    const query = parseMembersQuery(match[1], url.searchParams);
    if ('code' in query) return sendGoogleError(res, query);
    await answerMembers(req, res, query);
  };

  const server = await startServer(handle, options.port);
  const tokenUri = `${server.endpoint}/token`;
  audiences.unshift(tokenUri);
  const credentialsPath = join(options.keyDir, KEY_FILE_NAME);
  try {
    await writeKeyFile(
      credentialsPath,
      serviceAccountKeyJson(account, { tokenUri, authUri: `${server.endpoint}/o/oauth2/auth` }),
    );
  } catch (error) {
    await server.close();
    throw error;
  }
  return {
    endpoint: server.endpoint,
    rootUrl: `${server.endpoint}/`,
    tokenUri,
    credentialsPath,
    faults,
    issuedTokens: () => tokens.count,
    close: async () => {
      await server.close();
      await rm(credentialsPath, { force: true });
    },
  };
}

function decodeKeys(group: string, member: string): [string, string] | undefined {
  try {
    return [decodeURIComponent(group), decodeURIComponent(member)];
  } catch {
    return undefined;
  }
}

/** Query parameters of members.list, or the 400 the real API answers for a bad one. */
function parseMembersQuery(
  encodedGroupKey: string,
  params: URLSearchParams,
): MembersQuery | GoogleApiErrorSpec {
  let groupKey: string;
  try {
    groupKey = decodeURIComponent(encodedGroupKey);
  } catch {
    return invalidInput('groupKey');
  }
  const rawMax = params.get('maxResults');
  const requested = rawMax === null ? GOOGLE_MAX_RESULTS : Number(rawMax);
  if (!Number.isInteger(requested) || requested < 1) return invalidInput('maxResults');
  const rawToken = params.get('pageToken');
  const cursor = rawToken ? decodePageToken(rawToken) : FIRST_PAGE;
  if (!cursor) return invalidInput('pageToken');
  return {
    groupKey,
    maxResults: Math.min(requested, GOOGLE_MAX_RESULTS),
    cursor,
    includeDerived: params.get('includeDerivedMembership') === 'true',
  };
}
