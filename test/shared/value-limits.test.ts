import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  emailProblem,
  eventIdProblem,
  idcUserIdProblem,
  isUnsafeCodePoint,
  MAX_USER_NAME_LENGTH,
  shownValue,
  userNameProblem,
} from '../../shared/value-limits.js';

describe('value limits at the door', () => {
  it('refuses every unsafe code point and accepts plain text (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 80 }), (text) => {
        const unsafe = [...text].some((c) => isUnsafeCodePoint(c.codePointAt(0) ?? 0));
        expect(emailProblem(text) !== undefined).toBe(unsafe || text.length > 254);
        expect(shownValue(text).length).toBeLessThanOrEqual(60);
      }),
    );
    expect(userNameProblem('Role/jane@example.com')).toBeUndefined();
    expect(userNameProblem('x'.repeat(MAX_USER_NAME_LENGTH + 1))).toMatch(/at most 512/);
    expect(userNameProblem('名前')).toMatch(/outside U\+0020/);
  });

  it('limits event ids to 128 characters of visible text', () => {
    expect(eventIdProblem('e0000006-1f2e-4d3c-9b8a-7c6d5e4f3a06')).toBeUndefined();
    expect(eventIdProblem('x'.repeat(129))).toMatch(/at most 128/);
    expect(eventIdProblem('id\u202e')).toMatch(/U\+202E/);
  });

  it('takes IdC user ids as IdentityStore issues them, and nothing that could name another item', () => {
    expect(idcUserIdProblem('90676a1f2e-0b1c-4d5e-8f90-123456789abc')).toBeUndefined();
    expect(idcUserIdProblem('0b1c4d5e-8f90-4123-8456-789abcdef012')).toBeUndefined();
    expect(idcUserIdProblem('#LISTING')).toMatch(/letters, digits and -/);
    expect(idcUserIdProblem('a/b')).toMatch(/letters, digits and -/);
    expect(idcUserIdProblem('a'.repeat(48))).toMatch(/at most 47/);
    expect(idcUserIdProblem('')).toMatch(/empty/);
  });
});
