import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extensionSecretReader } from '../../../shared/google/secrets-extension.js';
import { startSecretsExtension } from '../../helpers/secrets-extension.js';

describe('secrets extension reader', () => {
  let extension: Awaited<ReturnType<typeof startSecretsExtension>>;
  beforeAll(async () => {
    extension = await startSecretsExtension(new Map([['s', '{"k":1}']]));
  });
  afterAll(async () => extension?.close());

  it('retries a 5xx answer and returns the secret string', async () => {
    extension.state.failNext = 2;
    await expect(extension.reader().readSecretString('s')).resolves.toBe('{"k":1}');
    expect(extension.state.failNext).toBe(0);
  });

  it('does not retry a 4xx and says why', async () => {
    const before = extension.state.requests;
    await expect(extension.reader('wrong-token').readSecretString('s')).rejects.toThrow(/HTTP 401/);
    expect(extension.state.requests - before).toBe(1);
    await expect(extension.reader().readSecretString('unknown')).rejects.toThrow(
      /ResourceNotFound/,
    );
  });

  it('needs the session token', async () => {
    await expect(
      extensionSecretReader({ port: 1, sessionToken: undefined }).readSecretString('s'),
    ).rejects.toThrow(/AWS_SESSION_TOKEN/);
  });
});
