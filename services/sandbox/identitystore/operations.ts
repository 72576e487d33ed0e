import type { IdcEmail, IdcUser } from '../../../shared/domain.js';
import {
  decodePageToken,
  encodePageToken,
  FIRST_PAGE,
  ListingCache,
  selectPage,
} from '../http/paging.js';
import type { Reply } from '../http/reply.js';
import type { IdentityStoreState } from '../state/identity-store-state.js';
import { errorReply, ok, userToWire } from './wire.js';

/**
 * The IdentityStore operations of the stand-in, over the sandbox state, with the real API's
 * validation: identity store id (format, then existence), MaxResults 1..100, NextToken,
 * GetUserId's AlternateIdentifier union, CreateUser's unique user name. Each returns the reply.
 */

export const IDENTITY_STORE_MAX_RESULTS = 100;

export interface IdentityStoreRequest {
  readonly operation: string;
  readonly body: Record<string, unknown>;
}

type Body = Record<string, unknown>;
type Operation = (backend: IdentityStoreBackend, body: Body) => Reply;

/** The state a stand-in serves and its open ListUsers listings. */
export interface IdentityStoreBackend {
  readonly state: IdentityStoreState;
  readonly listings: ListingCache<IdcUser>;
}

export function identityStoreBackend(state: IdentityStoreState): IdentityStoreBackend {
  const listings = new ListingCache(
    { list: () => state.list(), lookup: (userId) => state.get(userId) },
    (user) => user.userId,
  );
  return { state, listings };
}

const IDENTITY_STORE_ID =
  /^d-[0-9a-f]{10}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function performIdentityStoreOperation(
  backend: IdentityStoreBackend,
  request: IdentityStoreRequest,
): Reply {
  const { state } = backend;
  const operation = OPERATIONS[request.operation];
  if (!operation)
    return errorReply('UnknownOperationException', `Unknown operation ${request.operation}.`);
  const storeId = request.body.IdentityStoreId;
  if (storeId === state.identityStoreId) return operation(backend, request.body);
  if (typeof storeId !== 'string' || !IDENTITY_STORE_ID.test(storeId))
    return errorReply('ValidationException', 'IdentityStoreId is not valid.');
  return errorReply('ResourceNotFoundException', `Identity store ${storeId} not found.`, {
    ResourceType: 'IDENTITY_STORE',
    ResourceId: storeId,
  });
}

const OPERATIONS: Record<string, Operation> = {
  ListUsers: listUsers,
  DescribeUser: ({ state }, body) =>
    withUser(state, body.UserId, (user) => ok(userToWire(user, state.identityStoreId))),
  GetUserId: getUserId,
  CreateUser: createUser,
  DeleteUser: ({ state }, body) =>
    withUser(state, body.UserId, (user) => {
      state.deleteUser(user.userId);
      return ok();
    }),
};

function listUsers({ state, listings }: IdentityStoreBackend, body: Body): Reply {
  const max = body.MaxResults ?? IDENTITY_STORE_MAX_RESULTS;
  if (!Number.isInteger(max) || (max as number) < 1 || (max as number) > IDENTITY_STORE_MAX_RESULTS)
    return errorReply(
      'ValidationException',
      `MaxResults must be between 1 and ${IDENTITY_STORE_MAX_RESULTS}.`,
    );
  const token = body.NextToken;
  const cursor =
    token === undefined || token === null || token === ''
      ? FIRST_PAGE
      : typeof token === 'string'
        ? decodePageToken(token)
        : undefined;
  if (!cursor) return errorReply('ValidationException', 'NextToken is not valid.');
  const filter = userNameFilterOf(body.Filters);
  if (filter === null)
    return errorReply('ValidationException', 'Only a UserName filter is supported.');
  const page =
    filter === undefined
      ? listings.page(max as number, cursor)
      : selectPage(
          state.list().filter((u) => sameText(u.userName, filter)),
          (u) => u.userId,
          max as number,
          cursor,
        );
  return ok({
    Users: page.items.map((u) => userToWire(u, state.identityStoreId)),
    ...(page.next ? { NextToken: encodePageToken(page.next) } : {}),
  });
}

/** The deprecated `Filters` of ListUsers: undefined = none, null = one we do not support. */
function userNameFilterOf(filters: unknown): string | undefined | null {
  if (filters === undefined || (Array.isArray(filters) && filters.length === 0)) return undefined;
  if (!Array.isArray(filters) || filters.length !== 1) return null;
  const [only] = filters as { AttributePath?: unknown; AttributeValue?: unknown }[];
  if (only?.AttributePath !== 'UserName' || typeof only.AttributeValue !== 'string') return null;
  return only.AttributeValue;
}

interface AlternateIdentifier {
  readonly ExternalId?: { readonly Issuer?: unknown; readonly Id?: unknown };
  readonly UniqueAttribute?: {
    readonly AttributePath?: unknown;
    readonly AttributeValue?: unknown;
  };
}

function getUserId({ state }: IdentityStoreBackend, body: Body): Reply {
  const found = findByAlternateIdentifier(state, body.AlternateIdentifier as AlternateIdentifier);
  if (typeof found === 'string') return errorReply('ValidationException', found);
  if (!found)
    return errorReply('ResourceNotFoundException', 'USER not found.', { ResourceType: 'USER' });
  return ok({ IdentityStoreId: state.identityStoreId, UserId: found.userId });
}

/** The user an AlternateIdentifier names; a string is what is wrong with the identifier. */
function findByAlternateIdentifier(
  state: IdentityStoreState,
  identifier: AlternateIdentifier | undefined,
): IdcUser | undefined | string {
  if (identifier?.ExternalId) {
    const { Issuer, Id } = identifier.ExternalId;
    if (typeof Issuer !== 'string' || typeof Id !== 'string')
      return 'ExternalId needs Issuer and Id.';
    return state.list().find((u) => u.externalIds.some((x) => x.issuer === Issuer && x.id === Id));
  }
  if (identifier?.UniqueAttribute) {
    const { AttributePath: path, AttributeValue: value } = identifier.UniqueAttribute;
    if (typeof value !== 'string') return 'AttributeValue must be a string.';
    if (path === 'userName') return state.findByUserName(value);
    if (path === 'emails.value')
      return state.list().find((u) => u.emails.some((e) => sameText(e.value, value)));
    return 'AttributePath must be userName or emails.value.';
  }
  return 'AlternateIdentifier needs ExternalId or UniqueAttribute.';
}

function createUser({ state }: IdentityStoreBackend, body: Body): Reply {
  const { UserName: userName, DisplayName: displayName } = body;
  if (typeof userName !== 'string' || userName.trim() === '' || userName.length > 128)
    return errorReply('ValidationException', 'UserName must be 1 to 128 characters.');
  if (displayName !== undefined && typeof displayName !== 'string')
    return errorReply('ValidationException', 'DisplayName must be a string.');
  const emails = emailsOf(body.Emails);
  if (!emails)
    return errorReply('ValidationException', 'Emails must be a list of {Value, Type, Primary}.');
  if (state.findByUserName(userName))
    return errorReply('ConflictException', `Duplicate UserName ${userName}.`, {
      Reason: 'UNIQUENESS_CONSTRAINT_VIOLATION',
    });
  const user = state.createUser({
    userName,
    ...(displayName !== undefined ? { displayName } : {}),
    emails,
    externalIds: [],
  });
  return ok({ IdentityStoreId: state.identityStoreId, UserId: user.userId });
}

function emailsOf(value: unknown): IdcEmail[] | undefined {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return undefined;
  const emails: IdcEmail[] = [];
  for (const e of value as { Value?: unknown; Type?: unknown; Primary?: unknown }[]) {
    if (typeof e?.Value !== 'string') return undefined;
    emails.push({
      value: e.Value,
      ...(typeof e.Type === 'string' ? { type: e.Type } : {}),
      ...(typeof e.Primary === 'boolean' ? { primary: e.Primary } : {}),
    });
  }
  return emails;
}

/** Runs `then` on the user `userId` names, or answers ValidationException / 404. */
function withUser(
  state: IdentityStoreState,
  userId: unknown,
  then: (user: IdcUser) => Reply,
): Reply {
  if (typeof userId !== 'string' || userId === '')
    return errorReply('ValidationException', 'UserId is required.');
  const user = state.get(userId);
  if (!user)
    return errorReply('ResourceNotFoundException', `USER ${userId} not found.`, {
      ResourceType: 'USER',
      ResourceId: userId,
    });
  return then(user);
}

function sameText(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
