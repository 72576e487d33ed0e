import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  dedupeEvents,
  type IdcEvent,
  parseEventInput,
} from '../../../services/events/parse-events.js';

/** Every file of test/fixtures/events/ against the outcome its manifest expects. */

interface ExpectedParsed {
  outcome: 'parsed';
  eventName: string;
  eventSource: string;
  userId: string;
  eventId: string;
  identityStoreId?: string;
  line?: number;
  index?: number;
}
interface ExpectedRejected {
  outcome: 'rejected';
  reason: string;
  eventId?: string;
  eventName?: string;
  line?: number;
  index?: number;
}
interface Case {
  file: string;
  description: string;
  expected: (ExpectedParsed | ExpectedRejected)[];
  uniqueAfterDedupe?: number;
}

const dir = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/events');
const cases = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as Case[];

describe('event corpus', () => {
  it('has at least 25 cases over all three sources, envelopes and raw records', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
    const parsed = cases.flatMap((c) => c.expected).filter((e) => e.outcome === 'parsed');
    const sources = new Set(parsed.map((e) => (e as ExpectedParsed).eventSource));
    expect([...sources].sort()).toEqual([
      'identitystore-scim.amazonaws.com',
      'identitystore.amazonaws.com',
      'sso-directory.amazonaws.com',
    ]);
    const names = new Set(parsed.map((e) => (e as ExpectedParsed).eventName));
    expect([...names].sort()).toEqual([
      'CreateUser',
      'DeleteUser',
      'PatchUser',
      'PutUser',
      'UpdateUser',
    ]);
  });

  it.each(cases.map((c) => [c.file, c] as const))('%s', (file, c) => {
    const results = parseEventInput(readFileSync(join(dir, file), 'utf8'));
    expect(results.map((r) => (r.ok ? 'parsed' : 'rejected'))).toEqual(
      c.expected.map((e) => e.outcome),
    );
    c.expected.forEach((expected, i) => {
      const result = results[i];
      if (!result) throw new Error(`${file}: no result ${i}`);
      if (expected.line !== undefined) expect(result.line).toBe(expected.line);
      if (expected.index !== undefined) expect(result.index).toBe(expected.index);
      if (expected.outcome === 'parsed') {
        if (!result.ok) throw new Error(`${file}[${i}] rejected: ${result.reason}`);
        const { outcome: _outcome, line: _line, index: _index, ...fields } = expected;
        expect(result.event).toMatchObject(fields);
      } else {
        if (result.ok) throw new Error(`${file}[${i}] parsed, expected rejection`);
        expect(result.reason).toContain(expected.reason);
        if (expected.eventId !== undefined) expect(result.eventId).toBe(expected.eventId);
        if (expected.eventName !== undefined) expect(result.eventName).toBe(expected.eventName);
        if (result.raw !== undefined) expect(result.raw.length).toBeLessThanOrEqual(300);
      }
    });
    if (c.uniqueAfterDedupe !== undefined) {
      const events = results.flatMap((r): IdcEvent[] => (r.ok ? [r.event] : []));
      const { unique, duplicates } = dedupeEvents(events);
      expect(unique).toHaveLength(c.uniqueAfterDedupe);
      expect(duplicates).toHaveLength(events.length - c.uniqueAfterDedupe);
    }
  });
});
