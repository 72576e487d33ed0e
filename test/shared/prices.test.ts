import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PRICES,
  describeSavings,
  PRICED_ROLES,
  parsePrices,
  priceOf,
  savingsByRole,
} from '../../shared/prices.js';

const money = (n: number) => `$${n}`;

describe('parsePrices (IDSYNC_PRICES)', () => {
  it('defaults: Reader 3, Reader Pro 20, Author 24, Author Pro 40, Admin as Author', () => {
    expect(DEFAULT_PRICES).toEqual({
      READER: 3,
      READER_PRO: 20,
      AUTHOR: 24,
      AUTHOR_PRO: 40,
      ADMIN: 24,
      ADMIN_PRO: 40,
    });
  });

  it('entries override the defaults; AUTHOR carries ADMIN along unless ADMIN is set', () => {
    expect(parsePrices(' reader = 2.5 , Author=30')).toEqual({
      ok: true,
      prices: { ...DEFAULT_PRICES, READER: 2.5, AUTHOR: 30, ADMIN: 30 },
    });
    expect(parsePrices('AUTHOR=30,ADMIN=50,AUTHOR_PRO=45')).toEqual({
      ok: true,
      prices: { ...DEFAULT_PRICES, AUTHOR: 30, ADMIN: 50, AUTHOR_PRO: 45, ADMIN_PRO: 45 },
    });
    expect(parsePrices('READER=0,READER_PRO=1000')).toMatchObject({
      ok: true,
      prices: { READER: 0, READER_PRO: 1000 },
    });
  });

  it.each([
    ['', 'is empty'],
    [' , ', 'is empty'],
    ['READER=3,', 'has an empty entry'],
    ['READER=3,,AUTHOR=2', 'has an empty entry'],
    ['READER', 'entry "READER" is not ROLE=PRICE'],
    ['VIEWER=3', 'role "VIEWER" is not one of READER'],
    ['RESTRICTED_READER=3', 'role "RESTRICTED_READER" is not one of'],
    ['READER=3,reader=4', 'role READER is set twice'],
    ['READER=-1', 'price of READER must be a plain decimal from 0 to 1000'],
    ['READER=1000.01', 'from 0 to 1000'],
    ['READER=1001', 'from 0 to 1000'],
    ['READER=3.001', 'at most two decimals'],
    ['READER=$3', 'got "$3"'],
    ['READER=3e0', 'got "3e0"'],
    ['READER=03', 'got "03"'],
    ['READER=', 'got ""'],
    ['READER=.5', 'got ".5"'],
    ['READER=Infinity', 'got "Infinity"'],
  ])('refuses %j with a clear message', (text, message) => {
    const parsed = parsePrices(text);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.message).toContain(message);
  });

  it('any accepted table holds prices from 0 to 1000 for every role', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const parsed = parsePrices(text);
        if (!parsed.ok) return;
        for (const role of PRICED_ROLES) {
          expect(parsed.prices[role]).toBeGreaterThanOrEqual(0);
          expect(parsed.prices[role]).toBeLessThanOrEqual(1000);
        }
      }),
    );
  });
});

describe('priceOf and savingsByRole', () => {
  it('prices roles case-insensitively; restricted roles as their plain forms; unknown roles 0', () => {
    expect(priceOf(DEFAULT_PRICES, 'reader')).toBe(3);
    expect(priceOf(DEFAULT_PRICES, 'ADMIN_PRO')).toBe(40);
    expect(priceOf(DEFAULT_PRICES, 'RESTRICTED_AUTHOR')).toBe(24);
    expect(priceOf(DEFAULT_PRICES, 'RESTRICTED_READER')).toBe(3);
    expect(priceOf(DEFAULT_PRICES, 'OWNER')).toBe(0);
    expect(priceOf(DEFAULT_PRICES, '')).toBe(0);
  });

  it('sums deleted seats by role, in the price table order, to the cent', () => {
    const s = savingsByRole({ ...DEFAULT_PRICES, READER: 2.35 }, [
      'AUTHOR',
      'reader',
      'READER',
      'READER',
      'ADMIN',
      'author_pro',
    ]);
    expect(s.byRole).toEqual([
      { role: 'READER', count: 3, price: 2.35, monthly: 7.05 },
      { role: 'AUTHOR', count: 1, price: 24, monthly: 24 },
      { role: 'AUTHOR_PRO', count: 1, price: 40, monthly: 40 },
      { role: 'ADMIN', count: 1, price: 24, monthly: 24 },
    ]);
    expect(s).toMatchObject({ seats: 6, monthly: 95.05 });
    expect(describeSavings(s, money)).toBe(
      '3 READER × $2.35 + 1 AUTHOR × $24 + 1 AUTHOR_PRO × $40 + 1 ADMIN × $24',
    );
    expect(savingsByRole(DEFAULT_PRICES, [])).toEqual({ byRole: [], seats: 0, monthly: 0 });
    expect(describeSavings(savingsByRole(DEFAULT_PRICES, []), money)).toBe('no seats');
    const many = savingsByRole(
      DEFAULT_PRICES,
      Array.from({ length: 1_040 }, () => 'READER'),
    );
    expect(describeSavings(many, money)).toBe('1,040 READER × $3');
  });

  it('the total is the sum of count × price over the roles', () => {
    const role = fc.constantFrom(...PRICED_ROLES, 'RESTRICTED_READER', 'OTHER');
    fc.assert(
      fc.property(fc.array(role, { maxLength: 200 }), (roles) => {
        const s = savingsByRole(DEFAULT_PRICES, roles);
        const direct = roles.reduce((n, r) => n + priceOf(DEFAULT_PRICES, r), 0);
        expect(s.seats).toBe(roles.length);
        expect(s.monthly).toBeCloseTo(direct, 2);
      }),
    );
  });
});
