import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractEvent, type IdcEvent } from '../../../services/events/parse-events.js';
import { foreignReason } from '../../../services/events/run-events.js';
import { eventBridgeSourceOf, IDC_EVENT_SOURCES } from '../../../shared/event-sources.js';

const trust = { accountId: '123456789012', identityStoreId: 'd-9067a1b2c3' };
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../fixtures/events/${name}`, import.meta.url), 'utf8'));
const parsed = (value: unknown): IdcEvent => {
  const out = extractEvent(value);
  if (!out.ok) throw new Error(out.reason);
  return out.event;
};

describe('foreignReason (genuine events only)', () => {
  it('accepts the genuine fixtures: SCIM (no store id), IdentityStore and sso-directory', () => {
    for (const name of [
      'scim-delete-masked-envelope.json',
      'scim-delete-masked-raw.json',
      'identitystore-delete-envelope.json',
      'sso-directory-delete-envelope.json',
    ]) {
      const event = parsed(fixture(name));
      expect(foreignReason(event, trust), name).toBeUndefined();
    }
  });

  it('maps each CloudTrail event source to its AWS EventBridge source', () => {
    expect(IDC_EVENT_SOURCES.map(eventBridgeSourceOf)).toEqual([
      'aws.identitystore',
      'aws.sso-directory',
      'aws.identitystore-scim',
    ]);
  });

  it('refuses any other envelope source, another account or another identity store', () => {
    const envelope = fixture('scim-delete-masked-envelope.json');
    fc.assert(
      fc.property(
        fc.string({ maxLength: 30 }).filter((s) => s !== 'aws.identitystore-scim'),
        (source) => {
          expect(foreignReason(parsed({ ...envelope, source }), trust)).toMatch(
            /envelope source .* is not aws.identitystore-scim/,
          );
        },
      ),
    );
    expect(foreignReason(parsed({ ...envelope, account: '999999999999' }), trust)).toMatch(
      /envelope account "999999999999"/,
    );
    const raw = fixture('identitystore-delete-raw.json');
    expect(foreignReason(parsed({ ...raw, recipientAccountId: '999999999999' }), trust)).toMatch(
      /recipientAccountId 999999999999/,
    );
    const { recipientAccountId: _, ...anonymous } = raw;
    expect(foreignReason(parsed(anonymous), trust)).toMatch(/no recipientAccountId/);
    const otherStore = {
      ...raw,
      requestParameters: { ...raw.requestParameters, identityStoreId: 'd-0000000000' },
    };
    expect(foreignReason(parsed(otherStore), trust)).toMatch(
      /identity store d-0000000000 is not d-9067a1b2c3/,
    );
  });
});
