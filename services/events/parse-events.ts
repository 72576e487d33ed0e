import {
  CLOUDTRAIL_DETAIL_TYPE,
  IDC_EVENT_NAMES,
  IDC_EVENT_SOURCES,
  type IdcEventName,
  type IdcEventSource,
} from '../../shared/event-sources.js';
import { eventIdProblem, IDC_USER_ID_PATTERN, shownValue } from '../../shared/value-limits.js';
import { readJsonValues, truncateRaw } from './json-values.js';

/**
 * Event intake: turns operator or EventBridge input into Identity Center user events. Accepts
 * EventBridge envelopes (`detail-type: AWS API Call via CloudTrail`), raw CloudTrail records and
 * CloudTrail log files (`{"Records": [...]}`); one object, an array, or JSON lines. Anything it
 * cannot use becomes `{ ok: false, reason }`, never a throw: bad input must never crash a run nor
 * cause a deletion.
 */

/** What SCIM (and some other) CloudTrail records put in place of personal data. */
export const MASKED_VALUE = 'HIDDEN_DUE_TO_SECURITY_REASONS';

export interface IdcEvent {
  /** CloudTrail `eventID`, or the EventBridge envelope `id` when the record has none. */
  readonly eventId: string;
  readonly eventName: IdcEventName;
  readonly eventSource: IdcEventSource;
  readonly eventTime: string;
  /** The IdC user the event is about (always present in a parsed event). */
  readonly userId: string;
  readonly identityStoreId?: string;
  readonly awsRegion?: string;
  readonly recipientAccountId?: string;
  /** The EventBridge envelope's `source` and `account`, when the event came in one. */
  readonly envelope?: { readonly source?: string; readonly account?: string };
}

/** Where an entry was in the input: the line its value starts on, and its index in an array. */
export interface InputLocation {
  readonly line?: number;
  readonly index?: number;
}

export type ParsedInput =
  | ({ readonly ok: true; readonly event: IdcEvent } & InputLocation)
  | ({
      readonly ok: false;
      readonly reason: string;
      /** The offending input, shortened. */
      readonly raw?: string;
      /** Known when the record got that far, for the audit row. */
      readonly eventId?: string;
      readonly eventName?: string;
    } & InputLocation);

type Json = Record<string, unknown>;
type Extracted =
  | { ok: true; event: IdcEvent }
  | { ok: false; reason: string; eventId?: string; eventName?: string };

export function parseEventInput(text: string): ParsedInput[] {
  return readJsonValues(text).flatMap((piece): ParsedInput[] => {
    if (!piece.ok) return [{ ok: false, line: piece.line, reason: piece.reason, raw: piece.raw }];
    const where: InputLocation =
      piece.index === undefined ? { line: piece.line } : { line: piece.line, index: piece.index };
    const records = cloudTrailLogRecords(piece.value);
    if (records !== undefined) {
      return records.map((record, index) =>
        located(extractEvent(record), record, { line: piece.line, index }),
      );
    }
    return [located(extractEvent(piece.value), piece.value, where)];
  });
}

function located(result: Extracted, value: unknown, where: InputLocation): ParsedInput {
  if (result.ok) return { ok: true, event: result.event, ...where };
  return { ...result, ...where, raw: truncateRaw(showValue(value)) };
}

/** The value as JSON for an error report; a value nested too deeply to print says so. */
function showValue(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return '(a value nested too deeply to show)';
  }
}

/** The records of a CloudTrail log file (`{"Records": [...]}`), or undefined for anything else. */
function cloudTrailLogRecords(value: unknown): unknown[] | undefined {
  return isObject(value) && Array.isArray(value.Records) ? value.Records : undefined;
}

/** One JSON value → an IdC event, or why not. */
export function extractEvent(value: unknown): Extracted {
  if (!isObject(value))
    return { ok: false, reason: `expected a JSON object, got ${kindOf(value)}` };
  const envelope = isEnvelope(value) ? value : undefined;
  if (envelope !== undefined) {
    const detailType = envelope['detail-type'];
    if (detailType !== CLOUDTRAIL_DETAIL_TYPE) {
      return {
        ok: false,
        reason: `EventBridge detail-type ${JSON.stringify(detailType)} is not "${CLOUDTRAIL_DETAIL_TYPE}"`,
      };
    }
    if (!isObject(envelope.detail))
      return { ok: false, reason: 'EventBridge envelope without a detail object' };
  }
  const record = envelope === undefined ? value : (envelope.detail as Json);
  const eventId = text(record.eventID) ?? text(envelope?.id);
  const eventName = text(record.eventName);
  const known = {
    ...(eventId === undefined ? {} : { eventId }),
    ...(eventName === undefined ? {} : { eventName }),
  };
  const eventSource = text(record.eventSource);
  if (!isOneOf(IDC_EVENT_SOURCES, eventSource)) {
    return {
      ok: false,
      ...known,
      reason: `event source ${JSON.stringify(eventSource ?? null)} is not Identity Center (${IDC_EVENT_SOURCES.join(', ')})`,
    };
  }
  if (!isOneOf(IDC_EVENT_NAMES, eventName)) {
    return {
      ok: false,
      ...known,
      reason: `event ${JSON.stringify(eventName ?? null)} is not handled (only ${IDC_EVENT_NAMES.join(', ')})`,
    };
  }
  const errorCode = text(record.errorCode);
  if (errorCode !== undefined) {
    return {
      ok: false,
      ...known,
      reason: `the ${eventName} call failed (${errorCode}), so nothing changed`,
    };
  }
  if (eventId === undefined) return { ok: false, ...known, reason: 'the record has no eventID' };
  const badId = eventIdProblem(eventId);
  if (badId !== undefined) {
    return { ok: false, eventName, reason: `${badId}: ${JSON.stringify(shownValue(eventId))}` };
  }
  const eventTime = text(record.eventTime) ?? text(envelope?.time);
  if (eventTime === undefined || Number.isNaN(Date.parse(eventTime))) {
    return { ok: false, ...known, reason: 'the record has no valid eventTime' };
  }
  const userId = userIdOf(eventName, record);
  if (userId === undefined) {
    return {
      ok: false,
      ...known,
      reason: `no user id in the ${eventName} record (absent or ${MASKED_VALUE})`,
    };
  }
  if (!IDC_USER_ID_PATTERN.test(userId)) {
    return {
      ok: false,
      ...known,
      reason: `${JSON.stringify(truncateRaw(userId))} is not an Identity Center user id`,
    };
  }
  const request = asObject(record.requestParameters);
  const response = asObject(record.responseElements);
  const identityStoreId = text(request.identityStoreId) ?? text(response.identityStoreId);
  const awsRegion = text(record.awsRegion);
  const recipientAccountId = text(record.recipientAccountId);
  return {
    ok: true,
    event: {
      eventId,
      eventName,
      eventSource,
      eventTime,
      userId,
      ...(identityStoreId === undefined ? {} : { identityStoreId }),
      ...(awsRegion === undefined ? {} : { awsRegion }),
      ...(recipientAccountId === undefined ? {} : { recipientAccountId }),
      ...(envelope === undefined
        ? {}
        : {
            envelope: {
              ...(typeof envelope.source === 'string' ? { source: envelope.source } : {}),
              ...(typeof envelope.account === 'string' ? { account: envelope.account } : {}),
            },
          }),
    },
  };
}

/**
 * The user id of a record: `requestParameters.userId` (IdentityStore / sso-directory) or `.id`
 * (SCIM); for CreateUser also the response's `user.userId`, `userId` or `id` (SCIM).
 */
function userIdOf(eventName: IdcEventName, record: Json): string | undefined {
  const request = asObject(record.requestParameters);
  const fromRequest = text(request.userId) ?? text(request.id);
  if (fromRequest !== undefined || eventName !== 'CreateUser') return fromRequest;
  const response = asObject(record.responseElements);
  return text(asObject(response.user).userId) ?? text(response.userId) ?? text(response.id);
}

/** Events with the same eventId after the first, as delivered more than once, are dropped. */
export function dedupeEvents(events: readonly IdcEvent[]): {
  unique: IdcEvent[];
  duplicates: IdcEvent[];
} {
  const seen = new Set<string>();
  const unique: IdcEvent[] = [];
  const duplicates: IdcEvent[] = [];
  for (const event of events) {
    if (seen.has(event.eventId)) duplicates.push(event);
    else {
      seen.add(event.eventId);
      unique.push(event);
    }
  }
  return { unique, duplicates };
}

function isEnvelope(value: Json): boolean {
  return 'detail-type' in value || ('detail' in value && 'source' in value);
}

function isOneOf<T extends string>(allowed: readonly T[], value: string | undefined): value is T {
  return value !== undefined && (allowed as readonly string[]).includes(value);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asObject(value: unknown): Json {
  return isObject(value) ? value : {};
}

/** A present, non-blank, unmasked string; masked and non-string values count as absent. */
function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed.length === 0 || trimmed === MASKED_VALUE ? undefined : trimmed;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
