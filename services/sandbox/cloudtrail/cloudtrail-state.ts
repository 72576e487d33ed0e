/**
 * The events the CloudTrail stand-in holds: CloudTrail records (as CloudTrail writes them, JSON
 * objects with `eventTime`, `eventID`, `eventSource`, `eventName`, `userIdentity`, …), kept
 * newest first in LookupEvents' order (time descending, then event id descending). Event
 * history is per region, as in CloudTrail: each event belongs to its record's `awsRegion` (or
 * the state's home region when the record names none), and a region's LookupEvents sees only
 * its own (`list(region)`). It is per account too: each event belongs to its record's
 * `recipientAccountId` (or the state's home account), and an account's LookupEvents sees only
 * its own (`list(region, account)`).
 */

export interface StoredEvent {
  readonly eventId: string;
  readonly timeMs: number;
  readonly eventName: string;
  readonly eventSource: string;
  readonly readOnly: boolean;
  readonly username?: string;
  readonly accessKeyId?: string;
  /** The region whose event history holds it (the record's `awsRegion`). */
  readonly region: string;
  /** The account whose event history holds it (the record's `recipientAccountId`). */
  readonly account?: string;
  /** The record itself, as LookupEvents returns it in `CloudTrailEvent`. */
  readonly json: string;
}

/** LookupEvents' order: newest first; equal times by event id, descending. */
export const newestFirst = (a: StoredEvent, b: StoredEvent): number =>
  b.timeMs - a.timeMs || (a.eventId < b.eventId ? 1 : a.eventId > b.eventId ? -1 : 0);

/** What LookupEvents' `Username` shows: the IAM user name or the role session name. */
function usernameOf(identity: Record<string, unknown> | undefined): string | undefined {
  if (!identity) return undefined;
  if (typeof identity.userName === 'string') return identity.userName;
  const arn = typeof identity.arn === 'string' ? identity.arn : '';
  if (arn.includes(':assumed-role/')) return arn.slice(arn.lastIndexOf('/') + 1);
  return undefined;
}

export class CloudTrailState {
  private events: StoredEvent[] = [];
  private sorted = true;
  private readonly byRegion = new Map<string, StoredEvent[]>();

  /**
   * `homeRegion`: the region of records without `awsRegion`; `homeAccount`: the account of
   * records without `recipientAccountId` (unset: such records are every account's).
   */
  constructor(
    readonly homeRegion = 'us-east-1',
    readonly homeAccount?: string,
  ) {}

  /** Adds CloudTrail records (any order). */
  add(records: Iterable<object>): void {
    for (const record of records) {
      const r = record as Record<string, unknown>;
      const identity = r.userIdentity as Record<string, unknown> | undefined;
      const username = usernameOf(identity);
      const accessKeyId = typeof identity?.accessKeyId === 'string' ? identity.accessKeyId : '';
      this.events.push({
        eventId: String(r.eventID),
        timeMs: Date.parse(String(r.eventTime)),
        eventName: String(r.eventName),
        eventSource: String(r.eventSource),
        readOnly: r.readOnly === true || r.readOnly === 'true',
        ...(username ? { username } : {}),
        ...(accessKeyId ? { accessKeyId } : {}),
        region: typeof r.awsRegion === 'string' ? r.awsRegion : this.homeRegion,
        ...(typeof r.recipientAccountId === 'string' || this.homeAccount
          ? {
              account:
                typeof r.recipientAccountId === 'string' ? r.recipientAccountId : this.homeAccount,
            }
          : {}),
        json: JSON.stringify(r),
      });
    }
    this.sorted = false;
    this.byRegion.clear();
  }

  /**
   * Every event (of one region, and of one account, when named), newest first. Without an
   * account: every account's (a stand-in that does not tell callers' accounts apart).
   */
  list(region?: string, account?: string): readonly StoredEvent[] {
    if (!this.sorted) {
      this.events.sort(newestFirst);
      this.sorted = true;
    }
    if (region === undefined && account === undefined) return this.events;
    const key = `${region ?? '*'}|${account ?? '*'}`;
    let mine = this.byRegion.get(key);
    if (!mine) {
      mine = this.events.filter(
        (e) =>
          (region === undefined || e.region === region) &&
          (account === undefined || e.account === undefined || e.account === account),
      );
      this.byRegion.set(key, mine);
    }
    return mine;
  }

  get size(): number {
    return this.events.length;
  }
}
