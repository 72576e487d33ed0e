/**
 * What the SES v2 stand-in holds (services/sandbox/ses/): the verified sender identities (email
 * addresses or whole domains), the recipients SES refuses (addresses not verified while the
 * account is in the SES sandbox; MessageRejected, as the real API answers), the sending quota and
 * the outbox: every accepted message with its time.
 */

export interface OutboxMessage {
  readonly messageId: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text?: string;
  readonly html?: string;
  /** When the stand-in accepted it (ISO). */
  readonly sentAt: string;
}

export interface SesStateOptions {
  /** Email addresses or domains allowed as FromEmailAddress. */
  readonly verifiedIdentities?: readonly string[];
  /** Recipients SES refuses with MessageRejected. */
  readonly refusedRecipients?: readonly string[];
  /** SendQuota.MaxSendRate. @default 14 */
  readonly maxSendRate?: number;
  /** SendQuota.Max24HourSend. @default 50000 */
  readonly max24HourSend?: number;
}

const DAY_MS = 86_400_000;

export class SesState {
  readonly verified: Set<string>;
  readonly refused: Set<string>;
  readonly maxSendRate: number;
  readonly max24HourSend: number;
  private messages: OutboxMessage[] = [];

  constructor(options: SesStateOptions = {}) {
    this.verified = new Set((options.verifiedIdentities ?? []).map((i) => i.toLowerCase()));
    this.refused = new Set((options.refusedRecipients ?? []).map((r) => r.toLowerCase()));
    this.maxSendRate = options.maxSendRate ?? 14;
    this.max24HourSend = options.max24HourSend ?? 50_000;
  }

  /** Whether `address` (or its domain) is a verified identity. */
  isVerified(address: string): boolean {
    const a = address.toLowerCase();
    return this.verified.has(a) || this.verified.has(a.slice(a.lastIndexOf('@') + 1));
  }

  add(message: OutboxMessage): void {
    this.messages.push(message);
  }

  get outbox(): readonly OutboxMessage[] {
    return this.messages;
  }

  sentLast24Hours(nowMs: number): number {
    return this.messages.filter((m) => nowMs - Date.parse(m.sentAt) < DAY_MS).length;
  }

  /** Empties the outbox; returns how many messages it held. */
  clear(): number {
    const n = this.messages.length;
    this.messages = [];
    return n;
  }
}
