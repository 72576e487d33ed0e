import { type CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { IdsyncError } from '../errors.js';
import { IntervalPacer } from '../limiter/interval-pacer.js';
import type { BackoffPolicy } from '../retry.js';
import { type AwsRetryOptions, callWithRetry, classifyAwsError, isAwsError } from './aws-errors.js';

/**
 * CloudTrail LookupEvents for QuickSight's management events (lookup attribute EventSource =
 * quicksight.amazonaws.com), newest first, 50 a page. Every call waits for the IntervalPacer
 * (2 calls a second, LookupEvents' limit per account and region), so the sync is paced rather
 * than throttled; a ThrottlingException (someone else used the account's budget) backs the
 * pacer off a second and is retried, as are 5xx, resets and timeouts (callWithRetry, the one
 * retrying layer: the client runs with maxAttempts 1). Each call has its own timeout.
 */

export const LOOKUP_MAX_RESULTS = 50;
export const LOOKUP_CALLS_PER_SECOND = 2;
const QUICKSIGHT_EVENT_SOURCE = 'quicksight.amazonaws.com';
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
}

/** The port `activity sync` reads CloudTrail through. */
export interface QuickSightEventLookup {
  lookup(request: LookupRequest): Promise<LookupPage>;
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
      const out = await callWithRetry(
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
      return { records, ...(out.NextToken ? { nextToken: out.NextToken } : {}) };
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      if (request.nextToken && isAwsError(cause, 'InvalidNextTokenException'))
        throw new NextTokenRefusedError('CloudTrail refused the stored NextToken', { cause });
      throw error;
    }
  }
}
