import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decimal,
  externalId,
  protectedRoles,
  protectedUsers,
  roleArn,
  url,
  whole,
} from '../../../shared/config/value-schemas.js';

describe('decimal', () => {
  const rate = decimal(0.1, 1000);

  it('accepts plain decimals within bounds, trimmed', () => {
    expect(rate.parse(' 2.5 ')).toBe(2.5);
    expect(rate.parse('1000')).toBe(1000);
  });

  it('refuses exponents, hex, infinities and values out of bounds', () => {
    for (const bad of ['1e3', '0x10', 'Infinity', '1e-9', '0.05', '1000.5', '', '.5'])
      expect(rate.safeParse(bad).success, bad).toBe(false);
  });

  it('takes any number in range written plainly, and nothing written otherwise', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.1, max: 1000, noNaN: true }), (n) => {
        const plain = n.toFixed(3);
        expect(rate.parse(plain)).toBeCloseTo(Number(plain), 10);
        expect(rate.safeParse(n.toExponential()).success).toBe(false);
      }),
    );
  });
});

describe('whole', () => {
  it('accepts whole numbers within bounds only', () => {
    const days = whole(1, 90);
    expect(days.parse('90')).toBe(90);
    for (const bad of ['0', '91', '1.5', '1e1', '-1'])
      expect(days.safeParse(bad).success).toBe(false);
  });
});

describe('url', () => {
  it('accepts absolute http(s) URLs only', () => {
    expect(url.safeParse('https://admin.googleapis.com/').success).toBe(true);
    expect(url.safeParse('http://127.0.0.1:4566').success).toBe(true);
    for (const bad of ['javascript:alert(1)', 'file:///etc/passwd', 'admin.googleapis.com'])
      expect(url.safeParse(bad).success, bad).toBe(false);
  });
});

describe('protection lists', () => {
  it('never turns a typo into "protect nobody"', () => {
    for (const bad of [',', 'ADMIN;AUTHOR', 'ADMIN,,AUTHOR', 'OWNER'])
      expect(protectedRoles.safeParse(bad).success, bad).toBe(false);
    expect(protectedUsers.safeParse('a@example.com;b@example.com').success).toBe(false);
  });

  it('says "none" explicitly to protect nobody', () => {
    expect(protectedRoles.parse('none')).toEqual([]);
    expect(protectedRoles.parse('admin, author')).toEqual(['ADMIN', 'AUTHOR']);
  });
});

describe('roleArn', () => {
  it('accepts IAM role ARNs of every partition, with a path', () => {
    for (const ok of [
      'arn:aws:iam::123456789012:role/idsync',
      'arn:aws-cn:iam::123456789012:role/service-role/idsync+q=,.@-_',
      'arn:aws-us-gov:iam::123456789012:role/a/b/idsync',
      `arn:aws:iam::123456789012:role/${'r'.repeat(64)}`,
    ])
      expect(roleArn.safeParse(ok).success, ok).toBe(true);
  });

  it('refuses users, other services, short accounts, long names and blanks', () => {
    for (const bad of [
      'arn:aws:iam::123456789012:user/idsync',
      'arn:aws:sts::123456789012:role/idsync',
      'arn:aws:iam::12345678901:role/idsync',
      `arn:aws:iam::123456789012:role/${'r'.repeat(65)}`,
      'arn:aws:iam::123456789012:role/',
      'arn:aws:iam::123456789012:role/has space',
      'idsync',
    ])
      expect(roleArn.safeParse(bad).success, bad).toBe(false);
  });
});

describe('externalId', () => {
  it("takes STS's 2 to 1224 characters of [\\w+=,.@:/-], and nothing else", () => {
    expect(externalId.safeParse('ab').success).toBe(true);
    expect(externalId.safeParse('x'.repeat(1224)).success).toBe(true);
    expect(externalId.safeParse('urn:idsync/a=b,c.d@e-f_g+h').success).toBe(true);
    for (const bad of ['a', 'x'.repeat(1225), 'a b', 'a;b', 'a"b'])
      expect(externalId.safeParse(bad).success, bad.slice(0, 10)).toBe(false);
  });
});
