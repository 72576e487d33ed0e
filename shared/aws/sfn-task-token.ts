import {
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';

/**
 * Answers a Step Functions task token (a `.waitForTaskToken` state waiting for it): success with
 * an output, or failure with an error name and cause. The monthly review's approval
 * (services/review/) sends the decision this way.
 */
export interface TaskTokenPort {
  succeed(token: string, output: unknown): Promise<void>;
  fail(token: string, error: string, cause: string): Promise<void>;
}

export function sfnTaskToken(client: SFNClient): TaskTokenPort {
  return {
    async succeed(token, output) {
      await client.send(
        new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }),
      );
    },
    async fail(token, error, cause) {
      await client.send(new SendTaskFailureCommand({ taskToken: token, error, cause }));
    },
  };
}
