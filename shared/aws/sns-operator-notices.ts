import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { OperatorNotice, OperatorNotices } from '../operator-notices.js';

/** The operator notices on an SNS topic: one Publish per summary, its kind as a message attribute. */
export class SnsOperatorNotices implements OperatorNotices {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(notice: OperatorNotice): Promise<void> {
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: notice.subject,
        Message: notice.body,
        MessageAttributes: { kind: { DataType: 'String', StringValue: notice.kind } },
      }),
    );
  }
}
