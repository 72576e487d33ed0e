import { pick, type Random, randomDigits, randomInt } from './random.js';

/** A generated person: names as Google shows them, an ASCII e-mail and Google's numeric id. */
export interface Identity {
  readonly givenName: string;
  readonly familyName: string;
  readonly displayName: string;
  /** Lower-case, ASCII, as Google lists it. */
  readonly email: string;
  readonly googleId: string;
}

const GIVEN = (
  'alice ben carla david emma felix grace hannah ivan julia kevin laura marco nina oscar ' +
  'paula quentin rosa samuel tara umar vera william xenia yusuf zara adam beatriz chen ' +
  'daniel elena farah george helen isaac jasmine kenji lena mohammed noah olivia pedro ' +
  'rahul sofia thomas valentina wei yara aisha lucas'
)
  .split(' ')
  .map(capitalize);
const GIVEN_ACCENTED = 'José Zoë Björn Søren Łukasz Chloé François Inés'.split(' ');

const FAMILY = (
  'smith johnson brown taylor anderson thomas jackson white harris martin thompson moore ' +
  'clark lewis walker hall young king wright lopez hill scott green adams baker nelson ' +
  'carter mitchell perez roberts turner phillips campbell parker evans edwards collins ' +
  'stewart morris rossi bianchi schmidt fischer weber dubois moreau kowalski nowak tanaka ' +
  'suzuki sato patel singh kumar nguyen kim park'
)
  .split(' ')
  .map(capitalize);
const FAMILY_ACCENTED = 'Müller García Núñez Østergaard Dvořák Åberg Öztürk'.split(' ');

/** A few people whose display names are not in Latin script: [display, given, family] in ASCII. */
const NON_LATIN: readonly (readonly [string, string, string])[] = [
  ['山田 太郎', 'taro', 'yamada'],
  ['佐藤 花子', 'hanako', 'sato'],
  ['王芳', 'fang', 'wang'],
  ['김민준', 'minjun', 'kim'],
  ['Алексей Иванов', 'aleksei', 'ivanov'],
  ['Δημήτρης Παπαδόπουλος', 'dimitris', 'papadopoulos'],
];

const SPECIAL_LETTERS: Record<string, string> = { ß: 'ss', ø: 'o', ł: 'l', æ: 'ae', đ: 'd' };

/** A name reduced to e-mail letters: diacritics dropped, lower-case, [a-z0-9] only. */
export function toAsciiLocalPart(name: string): string {
  let ascii = asciiCache.get(name);
  if (ascii === undefined) {
    ascii = reduceToAscii(name);
    if (asciiCache.size < 1000) asciiCache.set(name, ascii);
  }
  return ascii;
}

const asciiCache = new Map<string, string>();

function reduceToAscii(name: string): string {
  return name
    .toLowerCase()
    .replace(/[ßøłæđ]/g, (c) => SPECIAL_LETTERS[c] ?? c)
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]/g, '');
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/**
 * `count` people with distinct e-mails at `domain` (first.last mostly; some initial+last, some
 * with digits) and distinct Google ids, deterministic for a given generator state. `taken`
 * holds e-mails already in use and receives the new ones.
 */
export function makeIdentities(
  random: Random,
  count: number,
  domain: string,
  taken: Set<string> = new Set(),
): Identity[] {
  const ids = new Set<string>();
  const out: Identity[] = [];
  while (out.length < count) {
    const [displayName, given, family] = drawNames(random);
    const first = toAsciiLocalPart(given);
    const last = toAsciiLocalPart(family);
    const style = random();
    const base =
      style < 0.82
        ? `${first}.${last}`
        : style < 0.92
          ? `${first.charAt(0)}${last}`
          : `${first}.${last}${randomDigits(random, 2)}`;
    let local = base;
    for (let n = 2; taken.has(`${local}@${domain}`); n++) local = `${base}${n}`;
    const email = `${local}@${domain}`;
    taken.add(email);
    let googleId = `1${randomDigits(random, 20)}`;
    while (ids.has(googleId)) googleId = `1${randomDigits(random, 20)}`;
    ids.add(googleId);
    out.push({ givenName: given, familyName: family, displayName, email, googleId });
  }
  return out;
}

function drawNames(random: Random): [display: string, given: string, family: string] {
  if (random() < 0.01) {
    const [display, given, family] = NON_LATIN[randomInt(random, NON_LATIN.length)] ?? [];
    if (display && given && family) return [display, capitalize(given), capitalize(family)];
  }
  const given = pick(random, random() < 0.04 ? GIVEN_ACCENTED : GIVEN);
  const family = pick(random, random() < 0.04 ? FAMILY_ACCENTED : FAMILY);
  return [`${given} ${family}`, given, family];
}

/** Best-effort names for an e-mail nobody generated (a member added by a test): `jane.doe` → Jane Doe. */
export function namesFromEmail(
  email: string,
): Pick<Identity, 'givenName' | 'familyName' | 'displayName'> {
  const parts = (email.split('@')[0] ?? email)
    .split(/[._-]+/)
    .filter(Boolean)
    .map(capitalize);
  const givenName = parts[0] ?? email;
  const familyName = parts.slice(1).join(' ') || givenName;
  return { givenName, familyName, displayName: parts.join(' ') || email };
}

/** The same address with each dotted part capitalised: `maria.garcia@example.com` → `Maria.Garcia@Example.com`. */
export function mixedCaseEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  const cap = (s: string) => s.split('.').map(capitalize).join('.');
  return `${cap(local)}@${capitalize(domain)}`;
}
