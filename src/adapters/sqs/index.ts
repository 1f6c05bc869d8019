/** Publishing the seed's queue messages, for consumers that still read the documented queues. */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface QueuePublisher {
  /** `deduplicationId` is honoured by FIFO queues and ignored by standard ones, which deliver at least once anyway. */
  send(queueUrl: string, body: object, deduplicationId: string): Promise<void>;
}

export function createSqsPublisher(client: SQSClient): QueuePublisher {
  return {
    async send(queueUrl, body, deduplicationId) {
      const fifo = queueUrl.endsWith('.fifo');
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify(body),
          ...(fifo ? { MessageDeduplicationId: deduplicationId, MessageGroupId: 'kyc' } : {}),
        }),
      );
    },
  };
}
