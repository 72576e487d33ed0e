import { describe, expect, it } from 'vitest';
import { explainError } from '../../../services/cli/explain-error.js';
import {
  ExitCode,
  exitCodeFor,
  ItemsFailedError,
  PartialSnapshotError,
  RemoteServiceError,
  ServiceUnreachableError,
} from '../../../shared/errors.js';

/** Which failures end a command with exit 5 (a service could not be reached), and which keep theirs. */

const env = {
  AWS_REGION: 'eu-west-1',
  AWS_ENDPOINT_URL_QUICKSIGHT: 'http://127.0.0.1:4001',
  AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:4000',
};
const refused = (port: number) =>
  Object.assign(new Error(`connect ECONNREFUSED 127.0.0.1:${port}`), {
    code: 'ECONNREFUSED',
    address: '127.0.0.1',
    port,
  });

describe('explainError and exit 5', () => {
  it.each([
    [
      'QuickSight',
      new RemoteServiceError('QuickSight', 'ListUsers failed: x', { cause: refused(4001) }),
    ],
    [
      'IdentityStore',
      new RemoteServiceError(
        'IdentityStore',
        'ListUsers: getaddrinfo ENOTFOUND identitystore.eu-west-1.amazonaws.com',
      ),
    ],
    [
      'CloudTrail',
      new RemoteServiceError(
        'CloudTrail',
        'LookupEvents failed after 4 attempts: CloudTrail at https://cloudtrail.eu-west-1.amazonaws.com did not answer in time (timed out)',
      ),
    ],
    [
      'Google Directory',
      new RemoteServiceError(
        'Google Directory',
        'listing members of g, page 1: Google Directory at https://admin.googleapis.com/ is unreachable (ETIMEDOUT); gave up after 6 attempts',
      ),
    ],
  ])('%s unreachable: exit 5, its message kept', async (service, error) => {
    const explained = await explainError(error, env);
    expect(explained).toBeInstanceOf(ServiceUnreachableError);
    expect((explained as ServiceUnreachableError).service).toBe(service);
    expect((explained as Error).message).toBe(error.message);
    expect(exitCodeFor(explained)).toBe(ExitCode.Unreachable);
  });

  it('a raw DynamoDB transport error names DynamoDB and its URL', async () => {
    const explained = await explainError(
      Object.assign(refused(4000), { $metadata: { attempts: 3 } }),
      env,
    );
    expect((explained as Error).message).toBe(
      'DynamoDB at http://127.0.0.1:4000 is unreachable (ECONNREFUSED)',
    );
    expect(exitCodeFor(explained)).toBe(5);
  });

  it('keeps the exit code of an error that has its own: PARTIAL snapshot 3, items failed 4', async () => {
    const partial = new PartialSnapshotError('QuickSight page 2 failed', { cause: refused(4001) });
    expect(exitCodeFor(await explainError(partial, env))).toBe(3);
    const failed = new ItemsFailedError('2 tasks failed', { cause: refused(4001) });
    expect(exitCodeFor(await explainError(failed, env))).toBe(4);
  });

  it('leaves a service answer (access denied) as it is: exit 1', async () => {
    const denied = new RemoteServiceError('QuickSight', 'DeleteUser failed: AccessDeniedException');
    expect(exitCodeFor(await explainError(denied, env))).toBe(1);
  });
});
