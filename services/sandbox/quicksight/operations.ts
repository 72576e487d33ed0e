import type { QuickSightUser } from '../../../shared/domain.js';
import { decodePageToken, encodePageToken, FIRST_PAGE, ListingCache } from '../http/paging.js';
import type { Reply } from '../http/reply.js';
import type { QuickSightState } from '../state/quicksight-state.js';
import { type RegisterUserBody, registrationOf } from './register-user.js';
import {
  IDENTITY_CENTER_REFUSAL,
  isManagedByIdentityCenter,
  type UpdateUserBody,
  userUpdateOf,
} from './update-user.js';
import { errorReply, ok, userToWire } from './wire.js';

/**
 * The QuickSight user operations of the stand-in, over the sandbox state, with the real API's
 * validation: another account → AccessDeniedException, unknown namespace or user →
 * ResourceNotFoundException, MaxResults 1..100, NextToken, RegisterUser's and UpdateUser's rules,
 * and user writes on IAM_IDENTITY_CENTER users refused (AccessDeniedException).
 * Each returns the reply to send.
 */

export const QUICKSIGHT_MAX_RESULTS = 100;

interface Scope {
  readonly accountId: string;
  readonly namespace: string;
}

export type QuickSightRoute = Scope &
  (
    | { readonly op: 'ListUsers'; readonly query: URLSearchParams }
    | { readonly op: 'RegisterUser' }
    | { readonly op: 'DescribeUser' | 'DeleteUser' | 'UpdateUser'; readonly userName: string }
    | { readonly op: 'DeleteUserByPrincipalId'; readonly principalId: string }
  );

/** The state a stand-in serves and its open ListUsers listings. */
export interface QuickSightBackend {
  readonly state: QuickSightState;
  readonly listings: ListingCache<QuickSightUser>;
}

export function quickSightBackend(state: QuickSightState): QuickSightBackend {
  const listings = new ListingCache(
    { list: () => state.list(), lookup: (key) => state.get(key) },
    keyOf,
  );
  return { state, listings };
}

export function performQuickSightOperation(
  { state, listings }: QuickSightBackend,
  route: QuickSightRoute,
  body: Buffer,
): Reply {
  if (route.accountId !== state.accountId)
    return errorReply(
      'AccessDeniedException',
      `You are not authorized to access resources of account ${route.accountId}.`,
    );
  if (route.namespace !== state.namespace)
    return errorReply('ResourceNotFoundException', `Namespace ${route.namespace} not found.`, {
      resourceType: 'NAMESPACE',
    });
  switch (route.op) {
    case 'ListUsers':
      return listUsers(listings, route.query);
    case 'DescribeUser': {
      const user = state.get(route.userName);
      return user ? ok({ User: userToWire(user) }) : userNotFound(route.userName);
    }
    case 'DeleteUser':
      return deleteUser(state, state.get(route.userName), route.userName);
    case 'DeleteUserByPrincipalId':
      return deleteUser(state, state.findByPrincipalId(route.principalId), route.principalId);
    case 'UpdateUser':
      return updateUser(state, state.get(route.userName), route.userName, body);
    case 'RegisterUser':
      return registerUser(state, body);
  }
}

function listUsers(listings: ListingCache<QuickSightUser>, query: URLSearchParams): Reply {
  const max = query.get('max-results');
  const maxResults = max === null ? QUICKSIGHT_MAX_RESULTS : Number(max);
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > QUICKSIGHT_MAX_RESULTS)
    return errorReply(
      'InvalidParameterValueException',
      `MaxResults must be between 1 and ${QUICKSIGHT_MAX_RESULTS}.`,
    );
  const token = query.get('next-token');
  const cursor = token === null || token === '' ? FIRST_PAGE : decodePageToken(token);
  if (!cursor) return errorReply('InvalidNextTokenException', 'The NextToken is not valid.');
  const page = listings.page(maxResults, cursor);
  return ok({
    UserList: page.items.map(userToWire),
    ...(page.next ? { NextToken: encodePageToken(page.next) } : {}),
  });
}

function deleteUser(state: QuickSightState, user: QuickSightUser | undefined, who: string): Reply {
  if (!user) return userNotFound(who);
  if (isManagedByIdentityCenter(user)) return identityCenterRefusal();
  return state.delete(user) ? ok() : userNotFound(who);
}

function updateUser(
  state: QuickSightState,
  user: QuickSightUser | undefined,
  who: string,
  body: Buffer,
): Reply {
  const parsed = parseBody(body);
  if ('reply' in parsed) return parsed.reply;
  const change = userUpdateOf(parsed.body as UpdateUserBody);
  if (!change.ok) return errorReply('InvalidParameterValueException', change.message);
  if (!user) return userNotFound(who);
  if (isManagedByIdentityCenter(user)) return identityCenterRefusal();
  return ok({ User: userToWire(state.update(user, change.change)) });
}

/**
 * QuickSight's answer to a user write (DeleteUser, DeleteUserByPrincipalId, UpdateUser) on an
 * IAM_IDENTITY_CENTER user: such users follow their IdC group, and only the group ends the seat.
 */
function identityCenterRefusal(): Reply {
  return errorReply('AccessDeniedException', IDENTITY_CENTER_REFUSAL);
}

function parseBody(body: Buffer): { body: object } | { reply: Reply } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8') || '{}');
  } catch {
    return {
      reply: errorReply('InvalidParameterValueException', 'The request body is not valid JSON.'),
    };
  }
  if (typeof parsed !== 'object' || parsed === null)
    return {
      reply: errorReply('InvalidParameterValueException', 'The request body is not an object.'),
    };
  return { body: parsed };
}

function registerUser(state: QuickSightState, body: Buffer): Reply {
  const parsed = parseBody(body);
  if ('reply' in parsed) return parsed.reply;
  const decision = registrationOf(parsed.body as RegisterUserBody);
  if (!decision.ok) return errorReply('InvalidParameterValueException', decision.message);
  if (state.get(keyOf(decision.user)))
    return errorReply('ResourceExistsException', `User ${decision.user.userName} exists.`, {
      resourceType: 'USER',
    });
  return ok({ User: userToWire(state.register(decision.user)) });
}

function userNotFound(who: string): Reply {
  return errorReply('ResourceNotFoundException', `User ${who} not found.`, {
    resourceType: 'USER',
  });
}

/** Storage and paging key: the user name, or the principal id for users named `N/A`. */
function keyOf(user: Pick<QuickSightUser, 'userName' | 'principalId'>): string {
  return user.userName === 'N/A' ? `N/A#${user.principalId ?? ''}` : user.userName;
}
