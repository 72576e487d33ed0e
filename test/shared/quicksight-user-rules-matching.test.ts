import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { QuickSightUser } from '../../shared/domain.js';
import { normalizeEmail } from '../../shared/email.js';
import {
  buildQuickSightIndex,
  emailOfUserName,
  matchQuickSightUsers,
} from '../../shared/quicksight-user-rules.js';
import {
  AUTHOR_ROLE_NAME,
  disguise,
  emailArb,
  iamUser,
  idcUser,
  nativeUser,
  READER_ROLE_NAME,
} from '../services/removals/plan/builders.js';

const aliceReader = iamUser(READER_ROLE_NAME, 'alice@example.com');
const aliceAuthor = iamUser(AUTHOR_ROLE_NAME, 'Alice@Example.com', 'AUTHOR');
const bobNative = nativeUser('bob@example.com', 'bob@example.com');
const bobByField = nativeUser('bobby', 'BOB@example.com');
const carolIdc = idcUser('carol@example.com', 'carol@example.com', 'p-carol');
const danNoName = idcUser('N/A', 'dan@example.com', 'p-dan');
const erinNoEmail = iamUser(READER_ROLE_NAME, 'erin@example.com');
const { email: _dropped, ...erinWithoutEmailField } = erinNoEmail;
const erin: QuickSightUser = erinWithoutEmailField;
const naOnly = idcUser('N/A', undefined, 'p-nobody');
const frankSession = iamUser(READER_ROLE_NAME, 'frank@example.com');
const frankWrongField: QuickSightUser = { ...frankSession, email: 'someone.else@example.com' };
const users = [
  aliceReader,
  aliceAuthor,
  bobNative,
  bobByField,
  carolIdc,
  danNoName,
  erin,
  naOnly,
  frankWrongField,
];

describe('matchQuickSightUsers', () => {
  it.each([
    ['IAM role/email, two roles for one person', 'alice@example.com', [aliceReader, aliceAuthor]],
    ['case differences in the person email', 'ALICE@EXAMPLE.COM', [aliceReader, aliceAuthor]],
    [
      'QUICKSIGHT-native by user name and by email field',
      'bob@example.com',
      [bobNative, bobByField],
    ],
    ['IAM_IDENTITY_CENTER user named by email', 'carol@example.com', [carolIdc]],
    ['N/A user name matches by email field only', 'dan@example.com', [danNoName]],
    ['IAM user without an email field, by session name', 'erin@example.com', [erin]],
    [
      'session name and email field name different people (1)',
      'frank@example.com',
      [frankWrongField],
    ],
    [
      'session name and email field name different people (2)',
      'someone.else@example.com',
      [frankWrongField],
    ],
    [
      'full-width and spaces in the person email',
      ' ａｌｉｃｅ＠ｅｘａｍｐｌｅ．ｃｏｍ ',
      [aliceReader, aliceAuthor],
    ],
    ['nobody holds this email', 'zoe@example.com', []],
    ['an N/A user name is never an email', 'n/a', []],
    ['the empty string matches nobody', '', []],
  ])('%s', (_title, email, expected) => {
    expect(matchQuickSightUsers(email, users)).toEqual(expected);
  });

  it('lists each user once even when both its email and its user name match', () => {
    const index = buildQuickSightIndex(users);
    expect(index.lookup('carol@example.com')).toHaveLength(1);
    expect(index.size).toBe(users.length);
  });

  it('does not match a user name whose role part, not session part, holds the email', () => {
    const odd = nativeUser('alice@example.com/not-an-email');
    expect(matchQuickSightUsers('alice@example.com', [odd])).toEqual([]);
  });

  it('reads the email after the last slash of a user name', () => {
    expect(emailOfUserName(`${READER_ROLE_NAME}/Bob@Example.COM`)).toBe('bob@example.com');
    expect(emailOfUserName('N/A')).toBeUndefined();
    expect(emailOfUserName('plainname')).toBeUndefined();
  });
});

describe('normalisation and matching, for any email', () => {
  it('normalizeEmail is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (raw) => {
        const once = normalizeEmail(raw);
        expect(normalizeEmail(once)).toBe(once);
      }),
    );
  });

  // Lower-casing after NFKC can leave a string that NFKC changes again (Greek letters with
  // combining marks); normalizeEmail applies NFKC once more after lower-casing.
  it.each(['\u03AA\u0301', '\u03AB\u0301', '\u1FBC\u0301', 'x\u038F\u0345@y.gr'])(
    'normalizeEmail is idempotent on %j (Greek letter with combining marks)',
    (raw) => {
      const once = normalizeEmail(raw);
      expect(normalizeEmail(once)).toBe(once);
    },
  );

  it('a full-width, mixed-case email matches its ASCII QuickSight users', () => {
    fc.assert(
      fc.property(
        emailArb,
        fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
        fc.array(emailArb, { maxLength: 5 }),
        (email, fullWidth, upper, others) => {
          const own = [iamUser(READER_ROLE_NAME, email), nativeUser(email, email)];
          const strangers = others
            .filter((o) => o !== email)
            .map((o) => iamUser(AUTHOR_ROLE_NAME, o));
          const written = disguise(email, fullWidth, upper);
          expect(matchQuickSightUsers(written, [...strangers, ...own])).toEqual(own);
        },
      ),
    );
  });

  it('the index finds what matching one person at a time finds', () => {
    fc.assert(
      fc.property(fc.array(emailArb, { minLength: 1, maxLength: 20 }), (emails) => {
        const qs = emails.flatMap((e, i) =>
          i % 2 === 0 ? [iamUser(READER_ROLE_NAME, e)] : [nativeUser(`user${i}`, e)],
        );
        const index = buildQuickSightIndex(qs);
        for (const e of emails) expect(index.lookup(e)).toEqual(matchQuickSightUsers(e, qs));
      }),
    );
  });
});
