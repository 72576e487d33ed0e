import { type CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  type AwsRetryOptions,
  callWithRetry,
  classifyAwsError,
  isAwsError,
} from '../../shared/aws/aws-errors.js';
import { IdsyncError, RemoteServiceError } from '../../shared/errors.js';
import { QUICKSIGHT_EVENT_SOURCE } from '../../shared/event-sources.js';
import { IntervalPacer } from '../../shared/interval-pacer.js';
import type { BackoffPolicy } from '../../shared/retry.js';

/**
 * CloudTrail LookupEvents for QuickSight's management events (lookup attribute EventSource =
 * quicksight.amazonaws.com), newest first, 50 a page. Every call waits for the IntervalPacer
 * (2 calls a second, LookupEvents' limit per account and region), so the sync is paced rather
 * than throttled; a ThrottlingException (someone else used the account's budget) backs the
 * pacer off a second and is retried, as are 5xx, resets and timeouts (callWithRetry, the one
 * retrying layer: the client runs with maxAttempts 1). Each call has its own timeout.
 *
 * Every answer carries CloudTrail's own clock: the HTTP `Date` response header, read by a
 * middleware on the client's stack (`readServiceTime`) and returned as the page's
 * `serviceTime`, so `activity sync` never claims coverage past what CloudTrail had reached
 * (services/activity/sync-windows.ts `coverageCap`), whatever this machine's clock says.
 * `serviceTime()` asks for it alone (one paced call for the newest QuickSight event).
 */

export const LOOKUP_MAX_RESULTS = 50;
export const LOOKUP_CALLS_PER_SECOND = 2;
const LOOKUP_RETRY: BackoffPolicy = { baseMs: 500, capMs: 8_000, maxAttempts: 6 };

export interface LookupRequest {
  /** StartTime (inclusive). */
  readonly from: Date;
  /** EndTime (inclusive). */
  readonly to: Date;
  readonly nextToken?: string;
}

export interface LookupPage {
  /** The CloudTrail records of the page (the parsed `CloudTrailEvent`), newest first. */
  readonly records: readonly Record<string, unknown>[];
  readonly nextToken?: string;
  /** CloudTrail's time when it answered (its `Date` header, whole seconds). */
  readonly serviceTime?: Date;
}

/** The port `activity sync` reads CloudTrail through. */
export interface QuickSightEventLookup {
  lookup(request: LookupRequest): Promise<LookupPage>;
  /**
   * CloudTrail's time now (one call). Test fakes may leave it out; the real adapter always
   * answers it or fails.
   */
  serviceTime?(): Promise<Date>;
}

/** Where `readServiceTime` leaves the `Date` of an answer on the command's output. */
const SERVICE_TIME = Symbol('idsync.serviceTime');

/** The `Date` header of a raw HTTP answer, when it has a valid one. */
function dateHeaderOf(response: unknown): Date | undefined {
  const headers = (response as { headers?: Record<string, string | undefined> } | undefined)
    ?.headers;
  const raw = headers?.date ?? headers?.Date;
  const ms = raw === undefined ? Number.NaN : Date.parse(raw);
  return Number.isFinite(ms) ? new Date(ms) : undefined;
}

const keepServiceTime = (target: unknown, at: Date | undefined) => {
  if (at && typeof target === 'object' && target !== null && !Object.isFrozen(target))
    Object.defineProperty(target, SERVICE_TIME, { value: at, configurable: true });
};

/**
 * Adds to the client's middleware stack a step that reads the HTTP `Date` header of every
 * answer, an error answer included (a request signed with a clock too far off is refused,
 * e.g. `InvalidSignatureException: Signature expired`, and that answer has the service's time
 * too), and keeps it on the command's output (`serviceTimeOf`) or on the error
 * (`serviceTimeOfFailure`). Idempotent per client.
 */
export function readServiceTime(client: CloudTrailClient): CloudTrailClient {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        const result = await next(args);
        keepServiceTime(result.output, dateHeaderOf(result.response));
        return result;
      } catch (error) {
        keepServiceTime(error, dateHeaderOf((error as { $response?: unknown }).$response));
        throw error;
      }
    },
    { step: 'build', name: 'idsyncServiceTime', override: true },
  );
  return client;
}

/** The service's time of a command's output, when the answer had a `Date` header. */
export function serviceTimeOf(output: object): Date | undefined {
  return (output as { [SERVICE_TIME]?: Date })[SERVICE_TIME];
}

/** The service's time of a failed call (on the error or its causes), when it answered at all. */
export function serviceTimeOfFailure(error: unknown): Date | undefined {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const at = (e as { [SERVICE_TIME]?: Date })[SERVICE_TIME];
    if (at) return at;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** CloudTrail refused a NextToken (expired, or the parameters changed): page again without it. */
export class NextTokenRefusedError extends IdsyncError {
  override readonly name = 'NextTokenRefusedError';
}

export interface CloudTrailLookupOptions extends AwsRetryOptions {
  /** Per-call timeout: 10 s. */
  readonly timeoutMs?: number;
  readonly pacer?: IntervalPacer;
}

export class CloudTrailQuickSightLookup implements QuickSightEventLookup {
  readonly pacer: IntervalPacer;
  readonly stats = { calls: 0, retries: 0, throttled: 0 };

  constructor(
    private readonly client: CloudTrailClient,
    private readonly options: CloudTrailLookupOptions = {},
  ) {
    // Quiet start: this run may resume one killed right after a call (the limit is per account).
    this.pacer = options.pacer ?? new IntervalPacer(LOOKUP_CALLS_PER_SECOND).startQuiet();
    readServiceTime(client);
  }

  async serviceTime(): Promise<Date> {
    const out = await this.send(
      new LookupEventsCommand({
        LookupAttributes: [
          { AttributeKey: 'EventSource', AttributeValue: QUICKSIGHT_EVENT_SOURCE },
        ],
        MaxResults: 1,
      }),
    );
    const at = serviceTimeOf(out);
    if (!at)
      throw new RemoteServiceError('CloudTrail', 'LookupEvents answered without a Date header', {
        retryable: true,
      });
    return at;
  }

  async lookup(request: LookupRequest): Promise<LookupPage> {
    const command = new LookupEventsCommand({
      LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: QUICKSIGHT_EVENT_SOURCE }],
      StartTime: request.from,
      EndTime: request.to,
      MaxResults: LOOKUP_MAX_RESULTS,
      ...(request.nextToken ? { NextToken: request.nextToken } : {}),
    });
    try {
      const out = await this.send(command);
      const records: Record<string, unknown>[] = [];
      for (const e of out.Events ?? []) {
        if (!e.CloudTrailEvent) continue;
        try {
          records.push(JSON.parse(e.CloudTrailEvent) as Record<string, unknown>);
        } catch {
          // An unreadable record names nobody; it is counted by the caller as malformed.
          records.push({ eventID: e.EventId ?? '', malformed: true });
        }
      }
      const serviceTime = serviceTimeOf(out);
      return {
        records,
        ...(out.NextToken ? { nextToken: out.NextToken } : {}),
        ...(serviceTime ? { serviceTime } : {}),
      };
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      if (request.nextToken && isAwsError(cause, 'InvalidNextTokenException'))
        throw new NextTokenRefusedError('CloudTrail refused the stored NextToken', { cause });
      throw error;
    }
  }

  /** One LookupEvents call: paced, timed out, retried (callWithRetry). */
  private send(command: LookupEventsCommand) {
    return callWithRetry(
      'CloudTrail',
      'LookupEvents',
      async () => {
        await this.pacer.acquire();
        this.stats.calls++;
        const timeoutMs = this.options.timeoutMs ?? 10_000;
        const abortSignal = AbortSignal.timeout(timeoutMs);
        try {
          return await this.client.send(command, { abortSignal });
        } catch (error) {
          if (abortSignal.aborted) {
            const timeout = new Error(`LookupEvents timed out after ${timeoutMs} ms`);
            timeout.name = 'TimeoutError';
            throw timeout;
          }
          if (classifyAwsError(error).throttled) {
            this.stats.throttled++;
            this.pacer.backOff(1_000);
          }
          throw error;
        }
      },
      {
        retry: this.options.retry ?? LOOKUP_RETRY,
        ...(this.options.sleep ? { sleep: this.options.sleep } : {}),
        ...(this.options.random ? { random: this.options.random } : {}),
        ...(this.options.signal ? { signal: this.options.signal } : {}),
        onRetry: (info) => {
          this.stats.retries++;
          this.options.onRetry?.(info);
        },
      },
    );
  }
}
