import { describe, expect, it } from 'vitest';
import { assumeRoleParams } from '../../../../services/sandbox/sts/assume-role-params.js';

const ROLE = 'arn:aws:iam::111111111111:role/idsync';
const form = (fields: Record<string, string>) =>
  new URLSearchParams({ Action: 'AssumeRole', Version: '2011-06-15', ...fields });

describe('assumeRoleParams (STS limits)', () => {
  it('reads a valid request', () => {
    expect(
      assumeRoleParams(
        form({
          RoleArn: ROLE,
          RoleSessionName: 'idsync-x',
          ExternalId: 'ab',
          DurationSeconds: '900',
        }),
      ),
    ).toEqual({ roleArn: ROLE, sessionName: 'idsync-x', externalId: 'ab', durationSeconds: 900 });
  });

  it('refuses a missing role or session name', () => {
    expect(assumeRoleParams(form({ RoleSessionName: 'ab' }))).toMatchObject({
      code: 'MissingParameter',
    });
    expect(assumeRoleParams(form({ RoleArn: ROLE }))).toMatchObject({ code: 'MissingParameter' });
  });

  it('refuses values outside the limits, in STS wording', () => {
    const at = (fields: Record<string, string>) =>
      assumeRoleParams(form({ RoleArn: ROLE, RoleSessionName: 'ok', ...fields }));
    expect(at({ RoleSessionName: 'a' })).toMatchObject({
      code: 'ValidationError',
      message: expect.stringMatching(/at 'roleSessionName' .* greater than or equal to 2/),
    });
    expect(at({ RoleSessionName: 'x'.repeat(65) })).toMatchObject({ code: 'ValidationError' });
    expect(at({ RoleSessionName: 'x'.repeat(64) })).not.toHaveProperty('code');
    expect(at({ RoleSessionName: 'a b' })).toMatchObject({
      message: expect.stringContaining('regular expression pattern: [\\w+=,.@-]*'),
    });
    expect(at({ ExternalId: 'a' })).toMatchObject({ code: 'ValidationError' });
    expect(at({ ExternalId: 'x'.repeat(1225) })).toMatchObject({ code: 'ValidationError' });
    expect(at({ ExternalId: 'x'.repeat(1224) })).not.toHaveProperty('code');
    expect(at({ ExternalId: 'a:b/c' })).not.toHaveProperty('code');
    expect(at({ ExternalId: 'a b' })).toMatchObject({ code: 'ValidationError' });
    expect(at({ DurationSeconds: '899' })).toMatchObject({ code: 'ValidationError' });
    expect(at({ DurationSeconds: '43201' })).toMatchObject({ code: 'ValidationError' });
    expect(at({ RoleArn: 'arn:aws:iam::1:r' })).toMatchObject({ code: 'ValidationError' });
  });
});
