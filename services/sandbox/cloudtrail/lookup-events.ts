import type { Reply } from '../http/reply.js';
import type { CloudTrailState, StoredEvent } from './cloudtrail-state.js';
import { errorReply, ok } from './wire.js';

/**
 * LookupEvents as CloudTrail answers it: management events of the last 90 days, newest first,
 * at most `MaxResults` (1–50, default 50) a page, a `NextToken` while more match, filtered by at
 * most one lookup attribute and by `[StartTime, EndTime]` (both inclusive, epoch seconds on the
 * wire). Bad input gets the documented errors (InvalidMaxResultsException,
 * InvalidLookupAttributesException, InvalidTimeRangeException, InvalidNextTokenException,
 * InvalidEventCategoryException). Only the events of the caller's account and region are seen, and only
 * once delivered (`deliveryDelayMs` after their time). A NextToken is bound to the parameters it came with and
 * to the position of the last event returned, so events added meanwhile never shift a page.
 */

export const LOOKUP_PAGE_MAX = 50;
export const LOOKUP_HISTORY_DAYS = 90;

const KEYS = [
  'AccessKeyId',
  'EventId',
  'EventName',
  'EventSource',
  'ReadOnly',
  'ResourceName',
  'ResourceType',
  'Username',
] as const;
type AttributeKey = (typeof KEYS)[number];

interface Position {
  readonly t: number;
  readonly id: string;
}

interface TokenBody extends Position {
  /** The parameters of the call the token belongs to. */
  readonly p: string;
}

function encodeToken(body: TokenBody): string {
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

function decodeToken(token: unknown): TokenBody | undefined {
  if (typeof token !== 'string' || token.length === 0) return undefined;
  try {
    const body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as TokenBody;
    return typeof body.p === 'string' && typeof body.t === 'number' && typeof body.id === 'string'
      ? body
      : undefined;
  } catch {
    return undefined;
  }
}

const matches = (e: StoredEvent, key: AttributeKey, value: string): boolean => {
  switch (key) {
    case 'EventSource':
      return e.eventSource === value;
    case 'EventName':
      return e.eventName === value;
    case 'EventId':
      return e.eventId === value;
    case 'Username':
      return e.username === value;
    case 'AccessKeyId':
      return e.accessKeyId === value;
    case 'ReadOnly':
      return String(e.readOnly) === value;
    default:
      return false; // ResourceType / ResourceName: no resources are recorded for these events
  }
};

/** Whether `e` comes after `pos` in newest-first order. */
const after = (e: StoredEvent, pos: Position): boolean =>
  e.timeMs < pos.t || (e.timeMs === pos.t && e.eventId < pos.id);

/** First index whose event is at or before `timeMs` (the list is newest first). */
function firstAtOrBefore(events: readonly StoredEvent[], timeMs: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((events[mid] as StoredEvent).timeMs > timeMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function timeOf(value: unknown, name: string): number | Reply | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value))
    return errorReply('SerializationException', `${name} must be a timestamp.`);
  return Math.round(value * 1000);
}

export function lookupEvents(
  state: CloudTrailState,
  body: Record<string, unknown>,
  nowMs: number,
  region?: string,
  deliveryDelayMs = 0,
  /** The caller's account: only its events are seen (unset: every account's). */
  account?: string,
): Reply {
  const max = body.MaxResults ?? LOOKUP_PAGE_MAX;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > LOOKUP_PAGE_MAX)
    return errorReply(
      'InvalidMaxResultsException',
      `MaxResults must be between 1 and ${LOOKUP_PAGE_MAX}.`,
    );
  if (body.EventCategory !== undefined && body.EventCategory !== 'insight')
    return errorReply('InvalidEventCategoryException', 'EventCategory must be insight.');
  const attributes = body.LookupAttributes ?? [];
  if (!Array.isArray(attributes) || attributes.length > 1)
    return errorReply(
      'InvalidLookupAttributesException',
      'LookupAttributes can contain only one item.',
    );
  let filter: { key: AttributeKey; value: string } | undefined;
  if (attributes.length === 1) {
    const a = attributes[0] as { AttributeKey?: unknown; AttributeValue?: unknown } | null;
    const key = a?.AttributeKey;
    const value = a?.AttributeValue;
    if (typeof key !== 'string' || !(KEYS as readonly string[]).includes(key))
      return errorReply(
        'InvalidLookupAttributesException',
        `AttributeKey must be one of ${KEYS.join(', ')}.`,
      );
    if (typeof value !== 'string' || value.length < 1 || value.length > 2000)
      return errorReply(
        'InvalidLookupAttributesException',
        'AttributeValue must be 1 to 2000 characters.',
      );
    filter = { key: key as AttributeKey, value };
  }
  const start = timeOf(body.StartTime, 'StartTime');
  const end = timeOf(body.EndTime, 'EndTime');
  if (typeof start === 'object') return start;
  if (typeof end === 'object') return end;
  if (start !== undefined && end !== undefined && start > end)
    return errorReply('InvalidTimeRangeException', 'Start time must be before end time.');
  const oldest = Math.max(start ?? -Infinity, nowMs - LOOKUP_HISTORY_DAYS * 86_400_000);
  // Delivered events only: CloudTrail shows an event some minutes after its time.
  const newest = Math.min(end ?? Infinity, nowMs - deliveryDelayMs);
  const params = JSON.stringify([
    filter ?? null,
    start ?? null,
    end ?? null,
    body.EventCategory ?? null,
  ]);

  let position: Position | undefined;
  if (body.NextToken !== undefined && body.NextToken !== null) {
    const token = decodeToken(body.NextToken);
    if (!token || token.p !== params)
      return errorReply(
        'InvalidNextTokenException',
        'Invalid NextToken: it must come with the parameters of the call that returned it.',
      );
    position = token;
  }
  if (body.EventCategory === 'insight') return ok({ Events: [] });

  const events = state.list(region, account);
  const page: StoredEvent[] = [];
  let more = false;
  for (let i = firstAtOrBefore(events, position?.t ?? newest); i < events.length; i++) {
    const e = events[i] as StoredEvent;
    if (e.timeMs < oldest) break;
    if (e.timeMs > newest) continue;
    if (position && !after(e, position)) continue;
    if (filter && !matches(e, filter.key, filter.value)) continue;
    if (page.length === max) {
      more = true;
      break;
    }
    page.push(e);
  }
  const last = page.at(-1);
  return ok({
    Events: page.map(toWire),
    ...(more && last
      ? { NextToken: encodeToken({ p: params, t: last.timeMs, id: last.eventId }) }
      : {}),
  });
}

function toWire(e: StoredEvent): Record<string, unknown> {
  return {
    EventId: e.eventId,
    EventName: e.eventName,
    ReadOnly: String(e.readOnly),
    ...(e.accessKeyId ? { AccessKeyId: e.accessKeyId } : {}),
    EventTime: e.timeMs / 1000,
    EventSource: e.eventSource,
    ...(e.username ? { Username: e.username } : {}),
    Resources: [],
    CloudTrailEvent: e.json,
  };
}
