import { activityKey, COALESCE_MS } from '../../shared/activity-record.js';
import type { DynamoActivityStore } from '../../shared/dynamo/activity-store.js';
import {
  CLOUDTRAIL_DETAIL_TYPE,
  QUICKSIGHT_EVENT_SOURCE,
  QUICKSIGHT_EVENTBRIDGE_SOURCE,
} from '../../shared/event-sources.js';
import { scopeAccounts } from '../../shared/quicksight-scopes.js';
import { type AttributionContext, attributeEvent } from './attribution.js';
import { deltasOf, type UserDirectory } from './resolve-users.js';

/**
 * Live capture: one QuickSight CloudTrail event delivered by EventBridge (source
 * `aws.quicksight`, detail-type "AWS API Call via CloudTrail", from an `ENABLED_WITH_ALL_
 * CLOUDTRAIL_MANAGEMENT_EVENTS` rule) → the same attribution and coalesced write as
 * `activity sync` (source `live`). Only genuine events count: the envelope's source must be
 * `aws.quicksight` (applications cannot put events with an `aws.` source), its account must be
 * one of the managed QuickSight accounts (the accounts of IDSYNC_QUICKSIGHT_ACCOUNTS' scopes, else
 * the configured one) and the record's account the envelope's, and the record's event source
 * `quicksight.amazonaws.com`. The event is attributed within the envelope's account.
 *
 * A busy dashboard costs no write per view (the store writes only when a time moves by more
 * than an hour) and, within one Lambda container, no read either: `LiveRecorder` remembers the
 * newest time it saw per user and skips evidence within the hour of it.
 */

export type LiveOutcome =
  | { readonly outcome: 'written' | 'unchanged' | 'coalesced'; readonly users: number }
  /** An on-behalf-of event of an IdC user the identity map does not know yet: kept pending. */
  | { readonly outcome: 'pending'; readonly users: 0 }
  | { readonly outcome: 'ignored'; readonly reason: string };

export interface LivePorts {
  readonly store: Pick<DynamoActivityStore, 'recordMany' | 'addPending'>;
  /** The user directory, loaded on first need (on-behalf-of events, sessions naming no email). */
  readonly directory: () => Promise<UserDirectory>;
  readonly attribution: Omit<AttributionContext, 'isKnownUserName'>;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;

/** Whether an event is an EventBridge QuickSight envelope (before any check of its content). */
export function isQuickSightEnvelope(event: unknown): boolean {
  const e = obj(event);
  return e?.source === QUICKSIGHT_EVENTBRIDGE_SOURCE;
}

/** Remembered users per container; beyond this the oldest half is forgotten. */
const MAX_REMEMBERED = 20_000;

export class LiveRecorder {
  private readonly seen = new Map<string, number>();

  constructor(private readonly ports: LivePorts) {}

  async record(event: unknown): Promise<LiveOutcome> {
    const e = obj(event);
    const ignore = (reason: string): LiveOutcome => ({ outcome: 'ignored', reason });
    if (e?.source !== QUICKSIGHT_EVENTBRIDGE_SOURCE)
      return ignore(`not an ${QUICKSIGHT_EVENTBRIDGE_SOURCE} event`);
    if (e['detail-type'] !== CLOUDTRAIL_DETAIL_TYPE) return ignore('not a CloudTrail API call');
    const { scopes } = this.ports.attribution;
    const accounts = scopes ? scopeAccounts(scopes) : [this.ports.attribution.accountId];
    if (typeof e.account !== 'string' || !accounts.includes(e.account))
      return ignore('another account');
    const context = { ...this.ports.attribution, accountId: e.account };
    const detail = obj(e.detail);
    if (!detail || detail.eventSource !== QUICKSIGHT_EVENT_SOURCE)
      return ignore('not a QuickSight event');
    // Several namespaces in the account: the snapshot tells which one a user named without one is in.
    const needsDirectory =
      obj(obj(detail.userIdentity)?.onBehalfOf) !== undefined ||
      (scopes ?? []).filter((s) => s.accountId === e.account).length > 1;
    let directory: UserDirectory | undefined = needsDirectory
      ? await this.ports.directory()
      : undefined;
    let attribution = attributeEvent(detail, {
      ...context,
      ...(directory ? { isKnownUserName: directory.isKnownUserName } : {}),
    });
    if (attribution.kind === 'ignored' && attribution.reason === 'session names nobody') {
      directory ??= await this.ports.directory();
      attribution = attributeEvent(detail, {
        ...context,
        isKnownUserName: directory.isKnownUserName,
      });
    }
    if (attribution.kind === 'ignored') return ignore(attribution.reason);
    if (attribution.kind === 'user' && attribution.evidence === 'activity') {
      const key = activityKey(attribution.user.namespace, attribution.user.userName);
      const seenAt = this.seen.get(key);
      if (seenAt !== undefined && Date.parse(attribution.at) - seenAt <= COALESCE_MS)
        return { outcome: 'coalesced', users: 1 };
    }
    const found = await deltasOf(
      [attribution],
      'live',
      directory ?? { usersOfIdcUser: async () => [] },
    );
    if (found.pending.length > 0) {
      // Not nobody: kept, and attributed by the sync that first resolves its IdC user.
      await this.ports.store.addPending(found.pending);
      return { outcome: 'pending', users: 0 };
    }
    if (found.deltas.length === 0) return ignore('on-behalf-of user matches no QuickSight user');
    const outcomes = await this.ports.store.recordMany(found.deltas);
    for (const d of found.deltas) {
      if (!d.newest) continue;
      this.remember(activityKey(d.namespace, d.userName), Date.parse(d.newest.at));
    }
    return {
      outcome: outcomes.includes('written') ? 'written' : 'unchanged',
      users: found.deltas.length,
    };
  }

  private remember(key: string, at: number): void {
    if (this.seen.size >= MAX_REMEMBERED) {
      let drop = MAX_REMEMBERED / 2;
      for (const k of this.seen.keys()) {
        if (drop-- <= 0) break;
        this.seen.delete(k);
      }
    }
    const known = this.seen.get(key);
    if (known === undefined || at > known) this.seen.set(key, at);
  }
}
