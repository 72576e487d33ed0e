import { describe, expect, it } from 'vitest';
import { attentionLines, needsAttention } from '../../shared/needs-attention.js';
import { DEFAULT_PRICES } from '../../shared/prices.js';

const money = (usd: number) => `$${usd}`;

describe('needs attention', () => {
  it('lists protected and deferred users only, each priced by role, with the total', () => {
    const a = needsAttention(
      [
        {
          email: 'a@x',
          decision: 'deferred',
          reason: 'owns 2 dashboards; set IDSYNC_ASSET_SUCCESSOR',
          role: 'AUTHOR',
          userName: 'a',
        },
        { email: 'b@x', decision: 'protected', reason: 'role ADMIN is protected', role: 'ADMIN' },
        { email: 'c@x', decision: 'delete', reason: 'left', role: 'READER' },
        { email: 'd@x', decision: 'protected', reason: 'listed', role: 'READER_PRO' },
        { email: 'e@x', decision: 'not_found', reason: 'no user' },
      ],
      DEFAULT_PRICES,
    );
    expect(a.items.map((i) => [i.email, i.monthly])).toEqual([
      ['a@x', 24],
      ['b@x', 24],
      ['d@x', 20],
    ]);
    expect(a.monthly).toBe(68);
    const lines = attentionLines(a, money, 2);
    expect(lines[0]).toBe('needs attention (3): seats kept, $68 a month');
    expect(lines[1]).toContain(
      'a@x  a [AUTHOR]  deferred: owns 2 dashboards; set IDSYNC_ASSET_SUCCESSOR  ($24/month)',
    );
    expect(lines.at(-1)).toBe('  … and 1 more (--json lists all)');
  });

  it('nothing kept: says so; a user without a role costs nothing', () => {
    expect(attentionLines(needsAttention([], DEFAULT_PRICES), money)).toEqual([
      'needs attention: nothing (no protected or deferred users)',
    ]);
    expect(
      needsAttention([{ email: 'x', decision: 'protected', reason: 'r' }], DEFAULT_PRICES).monthly,
    ).toBe(0);
  });
});
