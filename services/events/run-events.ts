import type { Config, QuickSightConfig } from '../../shared/config/index.js';
import type { Removal } from '../../shared/domain.js';
import type { AuditRecord, DynamoAuditLog } from '../../shared/dynamo/audit-store.js';
import type { DynamoEventStore } from '../../shared/dynamo/event-store.js';
import type { DynamoIdentityMap } from '../../shared/dynamo/identity-map-store.js';
import { describeError } from '../../shared/errors.js';
import { eventBridgeSourceOf } from '../../shared/event-sources.js';
import { mergeIdentity } from '../../shared/identity-merge.js';
import { checkIdcUser } from '../../shared/listing-limits.js';
import type { Logger } from '../../shared/logger.js';
import type { IdentityStorePort } from '../../shared/ports.js';
import {
  dedupeEvents,
  type IdcEvent,
  type InputLocation,
  parseEventInput,
} from './parse-events.js';

/** What a genuine event must match: the configured IdC account and identity store. */
export interface EventTrust {
  /** IDSYNC_IDC_ACCOUNT_ID (default IDSYNC_QUICKSIGHT_ACCOUNT_ID). */
  readonly accountId: string;
  /** IDSYNC_IDENTITY_STORE_ID. */
  readonly identityStoreId: string;
}

/**
 * The trust of the configuration: IDSYNC_IDC_ACCOUNT_ID (the IdC account; the stack sets it from
 * its `identityCenterAccountId`), else the QuickSight account, and IDSYNC_IDENTITY_STORE_ID.
 */
export function eventTrustOf(
  config: Pick<Config, 'identityStore'> & {
    readonly quicksight: Pick<QuickSightConfig, 'accountId'>;
  },
): EventTrust {
  return {
    accountId: config.identityStore.accountId ?? config.quicksight.accountId,
    identityStoreId: config.identityStore.identityStoreId,
  };
}

export interface EventDeps {
  readonly trust: EventTrust;
  readonly events: Pick<DynamoEventStore, 'record' | 'seen'>;
  readonly identities: Pick<DynamoIdentityMap, 'get' | 'markGone' | 'upsertOne'>;
  readonly identityStore: Pick<IdentityStorePort, 'describeUser'>;
  readonly audit: Pick<DynamoAuditLog, 'append'>;
  readonly logger: Logger;
  readonly now?: () => Date;
}

export type EventStatus =
  /** DeleteUser resolved to a person: their QuickSight users are to be removed. */
  | 'resolved'
  /** Create/Put/PatchUser: the identity map was refreshed from DescribeUser. */
  | 'refreshed'
  | 'duplicate'
  /** DeleteUser of a user id the identity map does not know. */
  | 'unresolved'
  /** Create/Put/PatchUser of a user already gone from IdC. */
  | 'gone'
  /** Not from AWS, another account or another identity store: ignored, nothing recorded. */
  | 'foreign'
  /** DeleteUser not confirmed by DescribeUser (the user exists, or the check failed): not acted on. */
  | 'deferred'
  /** Not an IdC user event we take (malformed JSON, other event or source, no user id). */
  | 'rejected';

export interface EventOutcome extends InputLocation {
  readonly status: EventStatus;
  readonly message: string;
  readonly eventId?: string;
  readonly eventName?: string;
  readonly userId?: string;
  readonly email?: string;
}

export interface HandleEventsResult {
  readonly runId: string;
  readonly outcomes: readonly EventOutcome[];
  /** One per resolved DeleteUser: the person whose QuickSight users should go. */
  readonly removals: readonly Removal[];
}

/** Events handled at once (each is a few DynamoDB calls, one IdC call for Create/Put/Patch). */
const EVENT_CONCURRENCY = 8;

const where = (l: InputLocation) =>
  l.index !== undefined
    ? `entry ${l.index + 1}${l.line ? ` (line ${l.line})` : ''}`
    : `line ${l.line ?? '?'}`;

/**
 * Takes CloudTrail IdC user events (one JSON object, an array, or JSON lines; EventBridge
 * envelopes or raw records). DeleteUser is resolved through the identity map; Create/Put/
 * PatchUser refresh it from DescribeUser at once. Bad input and unknown ids end as an audit row
 * and a clear message; nothing here deletes anything, and nothing throws on bad input.
 */
export async function handleEvents(
  deps: EventDeps,
  input: string,
  runId: string,
  options: { readonly dryRun?: boolean } = {},
): Promise<HandleEventsResult> {
  // A dry run records no event and changes no identity: a later --apply run acts on them.
  if (options.dryRun) deps = dryRunDeps(deps);
  const now = deps.now ?? (() => new Date());
  const outcomes: EventOutcome[] = [];
  const removals: Removal[] = [];
  const parsed = parseEventInput(input);
  const valid: Array<{ event: IdcEvent; at: InputLocation }> = [];
  for (const p of parsed) {
    const at = {
      ...(p.line !== undefined ? { line: p.line } : {}),
      ...(p.index !== undefined ? { index: p.index } : {}),
    };
    if (p.ok) valid.push({ event: p.event, at });
    else {
      outcomes.push({
        ...at,
        status: 'rejected',
        message: `${where(at)}: ${p.reason}; ignored`,
        ...(p.eventId ? { eventId: p.eventId } : {}),
        ...(p.eventName ? { eventName: p.eventName } : {}),
      });
    }
  }
  const { unique } = dedupeEvents(valid.map((v) => v.event));
  const firstOf = new Set(unique);
  // Events are independent once deduplicated: a few at a time, outcomes kept in input order.
  const handled: EventOutcome[] = new Array(valid.length);
  let next = 0;
  const lane = async () => {
    while (next < valid.length) {
      const i = next++;
      const { event, at } = valid[i] as (typeof valid)[number];
      const base = {
        ...at,
        eventId: event.eventId,
        eventName: event.eventName,
        userId: event.userId,
      };
      if (!firstOf.has(event)) {
        handled[i] = {
          ...base,
          status: 'duplicate',
          message: `${where(at)}: event ${event.eventId} repeated in this input; processed once`,
        };
        continue;
      }
      try {
        handled[i] = await handleOne(deps, event, base, now().toISOString(), removals);
      } catch (error) {
        // A storage or IdC failure: say so and go on with the next event; the event is not
        // recorded, so a redelivery will be processed.
        handled[i] = {
          ...base,
          status: 'rejected',
          message: `${where(at)}: could not process (${describeError(error)}); retry later`,
        };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(EVENT_CONCURRENCY, valid.length) }, lane));
  outcomes.push(...handled);
  await deps.audit.append(outcomes.map((o) => auditRow(runId, now().toISOString(), o)));
  const counts = outcomes.reduce<Record<string, number>>((acc, o) => {
    acc[o.status] = (acc[o.status] ?? 0) + 1;
    return acc;
  }, {});
  deps.logger.info({ runId, counts }, 'events handled');
  return { runId, outcomes, removals };
}

async function handleOne(
  deps: EventDeps,
  event: IdcEvent,
  base: Omit<EventOutcome, 'status' | 'message'>,
  receivedAt: string,
  removals: Removal[],
): Promise<EventOutcome> {
  const row = {
    eventId: event.eventId,
    eventName: event.eventName,
    eventSource: event.eventSource,
    eventTime: event.eventTime,
    userId: event.userId,
    receivedAt,
  };
  const label = `${event.eventName} of IdC user ${event.userId}`;
  const foreign = foreignReason(event, deps.trust);
  if (foreign !== undefined) {
    // Not recorded in the events table: a forged event must not shadow a genuine one's id.
    return { ...base, status: 'foreign', message: `${label}: ignored: foreign event (${foreign})` };
  }
  if (event.eventName !== 'DeleteUser') {
    const user = await deps.identityStore.describeUser(event.userId);
    const status = user ? 'refreshed' : 'gone';
    if ((await deps.events.record({ ...row, status: 'DONE', reason: status })) === 'duplicate') {
      return {
        ...base,
        status: 'duplicate',
        message: `${label}: event ${event.eventId} was processed before`,
      };
    }
    if (!user)
      return {
        ...base,
        status,
        message: `${label}: the user is already gone from IdC; nothing to record`,
      };
    // The DescribeUser answer is a listing too: checked like the snapshot's (no refused id or
    // email becomes a key). The event's user id already matched the IdC pattern at parse time.
    const checked = checkIdcUser(user);
    if (!checked.user)
      return {
        ...base,
        status,
        message: `${label}: not recorded: ${checked.refusal?.reason ?? 'refused'}`,
      };
    const record = await deps.identities.upsertOne(checked.user, receivedAt);
    const note = checked.refusal ? ` (${checked.refusal.action}: ${checked.refusal.reason})` : '';
    return {
      ...base,
      status,
      ...(record.email ? { email: record.email } : {}),
      message: `${label}: identity map refreshed${note}`,
    };
  }
  const identity = await deps.identities.get(event.userId);
  if (!identity?.email) {
    const reason = identity
      ? 'the identity map has no email for this user'
      : 'not in the identity map (no snapshot or CreateUser event ever saw this user)';
    if ((await deps.events.record({ ...row, status: 'REJECTED', reason })) === 'duplicate') {
      return {
        ...base,
        status: 'duplicate',
        message: `${label}: event ${event.eventId} was processed before`,
      };
    }
    return { ...base, status: 'unresolved', message: `${label}: ${reason}; nothing deleted` };
  }
  // Only IdentityStore's ResourceNotFoundException confirms a deletion (the port answers
  // undefined). The event is not recorded otherwise, so a redelivery or a rerun checks again.
  let stillThere: boolean;
  try {
    stillThere = (await deps.identityStore.describeUser(event.userId)) !== undefined;
  } catch (error) {
    return {
      ...base,
      status: 'deferred',
      email: identity.email,
      message: `${label}: could not confirm the deletion with IdentityStore (${describeError(error)}); nothing deleted, retry later`,
    };
  }
  if (stillThere) {
    return {
      ...base,
      status: 'deferred',
      email: identity.email,
      message: `${label}: IdC user still exists: event not confirmed; nothing deleted`,
    };
  }
  if (
    (await deps.events.record({ ...row, email: identity.email, status: 'PENDING' })) === 'duplicate'
  ) {
    return {
      ...base,
      status: 'duplicate',
      message: `${label}: event ${event.eventId} was processed before`,
    };
  }
  await deps.identities.markGone(event.userId, event.eventTime);
  removals.push({
    email: identity.email,
    source: 'deleted_event',
    userId: event.userId,
    since: event.eventTime,
    detail: `IdC user ${event.userId} deleted at ${event.eventTime} (${event.eventSource})`,
  });
  return {
    ...base,
    status: 'resolved',
    email: identity.email,
    message: `${label}: resolved to ${identity.email}`,
  };
}

/** The deps of a dry run: reads as usual, every write answered without writing. */
function dryRunDeps(deps: EventDeps): EventDeps {
  const { events, identities } = deps;
  return {
    ...deps,
    events: {
      record: async (row) => ((await events.seen(row.eventId)) ? 'duplicate' : 'new'),
      seen: (eventId) => events.seen(eventId),
    },
    identities: {
      get: (userId) => identities.get(userId),
      markGone: async () => false,
      upsertOne: async (user, at) => mergeIdentity(await identities.get(user.userId), user, at),
    },
  };
}

/**
 * Why an event is not a genuine one of the configured IdC, or undefined. An EventBridge envelope
 * must carry the AWS source of its CloudTrail event source (`aws.identitystore-scim` for
 * `identitystore-scim.amazonaws.com`; applications cannot put `aws.*` sources) and the
 * configured account; the record's `recipientAccountId` must be that account too (a raw record
 * without an envelope must carry it); an identity store id, when the record names one (SCIM
 * records carry none), must be the configured store.
 */
export function foreignReason(event: IdcEvent, trust: EventTrust): string | undefined {
  if (event.envelope !== undefined) {
    const expected = eventBridgeSourceOf(event.eventSource);
    if (event.envelope.source !== expected) {
      return `envelope source ${JSON.stringify(event.envelope.source ?? null)} is not ${expected}`;
    }
    if (event.envelope.account !== trust.accountId) {
      return `envelope account ${JSON.stringify(event.envelope.account ?? null)} is not the IdC account ${trust.accountId}`;
    }
  }
  if (event.recipientAccountId === undefined && event.envelope === undefined) {
    return 'the record names no recipientAccountId';
  }
  if (event.recipientAccountId !== undefined && event.recipientAccountId !== trust.accountId) {
    return `recipientAccountId ${event.recipientAccountId} is not the IdC account ${trust.accountId}`;
  }
  if (event.identityStoreId !== undefined && event.identityStoreId !== trust.identityStoreId) {
    return `identity store ${event.identityStoreId} is not ${trust.identityStoreId}`;
  }
  return undefined;
}

/**
 * Marks the events whose removals this run planned (and queued) as planned, so the scheduled
 * plan does not take them again. Called only after the tasks are written (never in a dry run).
 */
export async function markEventsPlanned(
  events: Pick<DynamoEventStore, 'markPlanned'>,
  outcomes: readonly EventOutcome[],
  runId: string,
): Promise<void> {
  for (const o of outcomes)
    if (o.status === 'resolved' && o.eventId) await events.markPlanned(o.eventId, runId);
}

function auditRow(runId: string, at: string, o: EventOutcome): AuditRecord {
  return {
    runId,
    at,
    kind: 'event',
    outcome: o.status,
    reason: o.message,
    ...(o.email ? { email: o.email } : {}),
    ...(o.userId ? { userId: o.userId } : {}),
    detail: {
      ...(o.eventId ? { eventId: o.eventId } : {}),
      ...(o.eventName ? { eventName: o.eventName } : {}),
      ...(o.line !== undefined ? { line: o.line } : {}),
      ...(o.index !== undefined ? { index: o.index } : {}),
    },
  };
}
