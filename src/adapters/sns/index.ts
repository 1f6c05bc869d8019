/** Decision events to the product through an SNS topic. */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { ProductChannel } from '../product-channel.ts';

export function createSnsChannel(client: SNSClient, topicArn: string): ProductChannel {
  const fifo = topicArn.endsWith('.fifo');
  return {
    name: 'sns',
    async publish(event, idempotencyKey) {
      await client.send(
        new PublishCommand({
          TopicArn: topicArn,
          Message: JSON.stringify(event),
          MessageAttributes: { idempotencyKey: { DataType: 'String', StringValue: idempotencyKey } },
          // FIFO topics drop a resend with the same deduplication id for five minutes.
          ...(fifo ? { MessageDeduplicationId: idempotencyKey, MessageGroupId: 'kyc-decisions' } : {}),
        }),
      );
    },
  };
}
