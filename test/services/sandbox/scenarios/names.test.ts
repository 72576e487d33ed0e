import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  makeIdentities,
  mixedCaseEmail,
  namesFromEmail,
  toAsciiLocalPart,
} from '../../../../services/sandbox/scenarios/names.js';
import { mulberry32 } from '../../../../services/sandbox/scenarios/random.js';
import { isValidEmail, normalizeEmail } from '../../../../shared/email.js';

describe('toAsciiLocalPart', () => {
  it.each([
    ['José', 'jose'],
    ['Søren', 'soren'],
    ['Łukasz', 'lukasz'],
    ['Dvořák', 'dvorak'],
    ['Strauß', 'strauss'],
    ["O'Brien", 'obrien'],
  ])('%s → %s', (name, ascii) => {
    expect(toAsciiLocalPart(name)).toBe(ascii);
  });
});

describe('makeIdentities', () => {
  it('gives distinct, valid, lower-case e-mails and distinct Google ids for any seed', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 0, max: 300 }), (seed, count) => {
        const people = makeIdentities(mulberry32(seed), count, 'example.com');
        expect(people).toHaveLength(count);
        expect(new Set(people.map((p) => p.email)).size).toBe(count);
        expect(new Set(people.map((p) => p.googleId)).size).toBe(count);
        for (const p of people) {
          expect(isValidEmail(p.email)).toBe(true);
          expect(normalizeEmail(p.email)).toBe(p.email);
          expect(p.googleId).toMatch(/^1\d{20}$/);
          expect(p.displayName.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('avoids e-mails already taken', () => {
    const taken = new Set<string>();
    const first = makeIdentities(mulberry32(5), 200, 'example.com', taken);
    const second = makeIdentities(mulberry32(5), 200, 'example.com', taken);
    const firstEmails = new Set(first.map((p) => p.email));
    for (const p of second) expect(firstEmails.has(p.email)).toBe(false);
    expect(taken.size).toBe(400);
  });

  it('includes some non-ASCII display names among many people', () => {
    const people = makeIdentities(mulberry32(42), 2000, 'example.com');
    const nonAscii = people.filter((p) => /[^ -~]/.test(p.displayName));
    expect(nonAscii.length).toBeGreaterThan(20);
    expect(nonAscii.length).toBeLessThan(people.length / 4);
  });
});

describe('namesFromEmail and mixedCaseEmail', () => {
  it('derives names from the local part', () => {
    expect(namesFromEmail('jane.doe@example.com')).toEqual({
      givenName: 'Jane',
      familyName: 'Doe',
      displayName: 'Jane Doe',
    });
  });

  it('mixed-case e-mails normalise back to the original', () => {
    expect(mixedCaseEmail('maria.garcia@example.com')).toBe('Maria.Garcia@Example.com');
    const people = makeIdentities(mulberry32(3), 100, 'example.com');
    for (const p of people) expect(normalizeEmail(mixedCaseEmail(p.email))).toBe(p.email);
  });
});
