import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IdcUser } from '../../shared/domain.js';
import { normalizeEmail } from '../../shared/email.js';
import { mergeIdentity, primaryEmail } from '../../shared/identity-merge.js';
import {
  checkGooglePage,
  checkIdcPage,
  checkIdcUser,
  checkQuickSightPage,
  ledgerUsable,
  listedEmailProblem,
  RefusalTally,
} from '../../shared/listing-limits.js';
import {
  emailProblem,
  idcUserIdProblem,
  MAX_EMAIL_LENGTH,
  MAX_PARTITION_KEY_BYTES,
} from '../../shared/value-limits.js';

const ID = '9067d4a8e1-5a3b2c1d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const user = (emails: IdcUser['emails'], userId = ID): IdcUser => ({
  userId,
  userName: 'jane',
  emails,
  externalIds: [],
});
const huge = `${'é'.repeat(1_000)}@x.com`;

describe('IdC users at the snapshot door', () => {
  it('keeps a user whose id and emails are within their limits unchanged', () => {
    const u = user([{ value: 'Jane@Example.com', primary: true }]);
    expect(checkIdcUser(u)).toEqual({ user: u });
  });

  it('leaves out a user whose id is too long, empty or carries a bidi override', () => {
    for (const id of ['x'.repeat(48), '', `${ID.slice(0, 40)}\u202e`]) {
      const { user: kept, refusal } = checkIdcUser(user([{ value: 'a@x.com' }], id));
      expect(kept).toBeUndefined();
      expect(refusal?.action).toBe('left out');
      expect(refusal?.reason).toMatch(/^IdC user id /);
    }
    expect(idcUserIdProblem(ID)).toBeUndefined();
  });

  it('stores a user whose primary email is 1,000 × é without any email, so no byEmail key', () => {
    const { user: kept, refusal } = checkIdcUser(
      user([{ value: 'jane.other@x.com' }, { value: huge, primary: true }]),
    );
    expect(kept?.emails).toEqual([]);
    expect(refusal).toEqual({
      action: 'stored without email',
      reason: 'email is 1006 characters long (at most 254)',
      userId: ID,
    });
    // The record written has no `email`: the GSI key is never written.
    expect(mergeIdentity(undefined, kept as IdcUser, '2026-12-01T00:00:00Z').email).toBeUndefined();
  });

  it('drops only a refused secondary email; the primary stays the primary', () => {
    const { user: kept, refusal } = checkIdcUser(
      user([{ value: 'jane@x.com', primary: true }, { value: 'ja\u200bne@x.com' }]),
    );
    expect(kept?.emails).toEqual([{ value: 'jane@x.com', primary: true }]);
    expect(refusal?.reason).toMatch(/U\+200B/);
    // With no email marked primary, the first one is the primary.
    const first = checkIdcUser(user([{ value: 'ja\u200bne@x.com' }, { value: 'jane@x.com' }]));
    expect(first.user?.emails).toEqual([]);
  });

  it('refuses an email whose normalised form (the key) is over the limit though the raw one is not', () => {
    const raw = `${'\ufdfa'.repeat(20)}@x.com`; // NFKC expands each to 18 characters
    expect(emailProblem(raw)).toBeUndefined();
    expect(listedEmailProblem(raw)).toMatch(/at most 254/);
  });

  it('checks a page: counts the refusals, keeps the order of the users kept', () => {
    const ok = user([{ value: 'a@x.com' }], '11111111-1111-4111-8111-111111111111');
    const page = [user([{ value: 'b@x.com' }], 'bad\u0000id'), ok, user([{ value: huge }])];
    const { users, refusals } = checkIdcPage(page);
    expect(users.map((u) => u.userId)).toEqual([ok.userId, ID]);
    expect(refusals.map((r) => r.action)).toEqual(['left out', 'stored without email']);
    expect(refusals[0]?.userId).toBe('bad\\u{0}id');
  });
});

describe('Google and QuickSight pages at the door', () => {
  it('counts Google members with refused emails and keeps them out of the ledger only', () => {
    const members = [
      { id: '1', email: 'jane@x.com', type: 'USER' },
      { id: '2', email: huge, type: 'USER' },
      { id: '3', email: 'jo\u200be@x.com', type: 'USER' },
    ];
    expect(checkGooglePage(members).map((r) => r.action)).toEqual(['kept', 'kept']);
    expect(ledgerUsable({ rawEmail: 'jane@x.com' })).toBe(true);
    expect(ledgerUsable({ rawEmail: huge })).toBe(false);
  });

  it('counts QuickSight users the plan will call invalid (name or email)', () => {
    const qs = (userName: string, email?: string) => ({
      userName,
      role: 'READER',
      identityType: 'IAM',
      arn: `arn:${userName.length}`,
      ...(email ? { email } : {}),
    });
    const refusals = checkQuickSightPage([
      qs('Role/jane@x.com', 'jane@x.com'),
      qs('N/A'),
      qs(`${'x'.repeat(5_000)}@x.com`),
      qs('Role/jo@x.com', 'jo\u202e@x.com'),
    ]);
    expect(refusals.map((r) => r.reason)).toEqual([
      'QuickSight user name is 5006 characters long (at most 512)',
      'email contains the invisible or control character U+202E',
    ]);
  });

  it('tallies exact counts and at most five distinct reasons', () => {
    const tally = new RefusalTally();
    expect(tally.summary()).toBeUndefined();
    for (let i = 0; i < 8; i++) tally.add([{ action: 'kept', reason: `r${i % 7}` }]);
    expect(tally.summary()).toEqual({
      count: 8,
      reasons: ['kept: r0', 'kept: r1', 'kept: r2', 'kept: r3', 'kept: r4'],
    });
  });
});

/** Text that often hits the limits: long runs, expanding, invisible and multi-byte characters. */
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc
    .array(
      fc.tuple(
        fc.constantFrom('a', 'é', '@', '.', ' ', '\u200b', '\u202e', '\n', '\ufdfa', 'Ａ', '😀'),
        fc.integer({ min: 1, max: 300 }),
      ),
      { maxLength: 4 },
    )
    .map((runs) => runs.map(([c, n]) => c.repeat(n)).join('')),
);

describe('listing checks (property)', () => {
  it('never throw, and whatever they keep is within the limits', () => {
    fc.assert(
      fc.property(
        text,
        fc.array(fc.record({ value: text, primary: fc.option(fc.boolean(), { nil: undefined }) }), {
          maxLength: 3,
        }),
        (userId, emails) => {
          const listed = user(
            emails.map((e) => (e.primary === undefined ? { value: e.value } : e)),
            userId,
          );
          // Google and QuickSight checks refuse exactly the values that fail.
          const members = emails.map((e, i) => ({ id: String(i), email: e.value, type: 'USER' }));
          expect(checkGooglePage(members)).toHaveLength(
            emails.filter((e) => listedEmailProblem(e.value) !== undefined).length,
          );
          expect(() =>
            checkQuickSightPage([
              { userName: userId, role: 'READER', identityType: 'IAM', arn: 'a' },
            ]),
          ).not.toThrow();
          const { user: kept, refusal } = checkIdcUser(listed);
          expect(kept === undefined).toBe(idcUserIdProblem(userId) !== undefined);
          const bad = emails.some((e) => listedEmailProblem(e.value) !== undefined);
          expect(refusal !== undefined).toBe(kept === undefined || bad);
          if (!kept) return;
          expect(kept.userId).toBe(userId);
          expect(kept.userId.length).toBeLessThanOrEqual(47);
          for (const e of kept.emails) {
            expect(listedEmailProblem(e.value)).toBeUndefined();
            const key = normalizeEmail(e.value);
            expect(key.length).toBeLessThanOrEqual(MAX_EMAIL_LENGTH);
            expect(Buffer.byteLength(key, 'utf8')).toBeLessThanOrEqual(MAX_PARTITION_KEY_BYTES);
          }
          // The identity map's byEmail key is one of the kept emails or absent, never a refused one.
          const key = mergeIdentity(undefined, kept, '2026-12-01T00:00:00Z').email;
          if (key !== undefined) expect(emailProblem(key)).toBeUndefined();
          // A refused primary never lets another address stand in for it.
          const primary = listed.emails.find((e) => e.primary) ?? listed.emails[0];
          if (primary && listedEmailProblem(primary.value) !== undefined)
            expect(primaryEmail(kept)).toBeUndefined();
        },
      ),
      { numRuns: 300 },
    );
  });
});
