import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, SettingsError, settingsFrom } from '../../infra/stacks/settings.js';

describe('stack settings from CDK context', () => {
  it('has well-formed defaults so a clean clone synthesises', () => {
    const s = settingsFrom();
    expect(s).toEqual(DEFAULT_SETTINGS);
    expect(s.account).toMatch(/^\d{12}$/);
    expect(s.identityStoreId).toMatch(/^d-[0-9a-z]{10}$/);
    expect(s.apply).toBe(false);
  });

  it('defaults QuickSight account and region to the stack account and region', () => {
    const s = settingsFrom({ account: '210987654321', region: 'eu-west-1' });
    expect(s.quickSightAccountId).toBe('210987654321');
    expect(s.quickSightRegion).toBe('eu-west-1');
    const other = settingsFrom({ region: 'eu-west-1', quickSightRegion: 'us-east-1' });
    expect(other.quickSightRegion).toBe('us-east-1');
  });

  it('reads -c strings the way cdk.json JSON values are read', () => {
    const fromCli = settingsFrom({
      apply: 'true',
      scheduleMinutes: '15',
      groups: 'a@example.com, b@example.com',
      environment: '{"IDSYNC_MAX_DELETIONS":"20"}',
    });
    const fromJson = settingsFrom({
      apply: true,
      scheduleMinutes: 15,
      groups: ['a@example.com', 'b@example.com'],
      environment: { IDSYNC_MAX_DELETIONS: 20 },
    });
    expect(fromCli).toEqual(fromJson);
    expect(fromCli.apply).toBe(true);
    expect(fromCli.groups).toEqual(['a@example.com', 'b@example.com']);
    expect(fromCli.environment).toEqual({ IDSYNC_MAX_DELETIONS: '20' });
  });

  it.each([
    [{ apply: 'yes please' }, /apply must be true or false/],
    [{ scheduleMinutes: '0' }, /scheduleMinutes/],
    [{ account: '12345' }, /12-digit/],
    [{ groups: ' , ' }, /at least one/],
    [{ environment: { IDSYNC_NOPE: '1' } }, /unknown variable IDSYNC_NOPE/],
    [{ environment: { IDSYNC_TABLE_PREFIX: 'x' } }, /set by the stack/],
    [{ environment: ['IDSYNC_RATE'] }, /must be an object/],
  ])('rejects %j', (context, message) => {
    expect(() => settingsFrom(context)).toThrow(SettingsError);
    expect(() => settingsFrom(context)).toThrow(message);
  });
});
