/** Creates the service's AWS resources on moto_server: the upload bucket, the seed's queues with DLQs, S3 → SQS. */
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

export const QUEUE_NAMES = ['s3-events', 'face-match', 'reg-request', 'reg-check-ingest', 'decision'] as const;
export type LocalQueue = (typeof QUEUE_NAMES)[number];

export interface LocalAws {
  s3: S3Client;
  sqs: SQSClient;
  queueUrls: Record<LocalQueue, string>;
  dlqUrls: Record<LocalQueue, string>;
  /** Everything now in a queue's DLQ (bodies), without removing it. */
  deadLetters(queue: LocalQueue): Promise<string[]>;
}

const clientConfig = (endpoint: string) => ({
  region: 'eu-west-2',
  endpoint,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});

async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  return Attributes?.QueueArn as string;
}

/**
 * Queues redrive to their DLQ after `maxReceiveCount` receives; a short visibility timeout keeps retries quick in
 * tests while still exercising SQS's real redelivery.
 */
export async function createLocalAws(
  endpoint: string,
  options: { bucket: string; prefix: string; namespace: string; maxReceiveCount?: number; visibilityTimeout?: number },
): Promise<LocalAws> {
  const s3 = new S3Client({ ...clientConfig(endpoint), forcePathStyle: true });
  const sqs = new SQSClient(clientConfig(endpoint));
  const queueUrls = {} as Record<LocalQueue, string>;
  const dlqUrls = {} as Record<LocalQueue, string>;
  for (const name of QUEUE_NAMES) {
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${options.namespace}-${name}-dlq` }));
    dlqUrls[name] = dlq.QueueUrl as string;
    const queue = await sqs.send(
      new CreateQueueCommand({
        QueueName: `${options.namespace}-${name}`,
        Attributes: {
          VisibilityTimeout: String(options.visibilityTimeout ?? 1),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: await queueArn(sqs, dlqUrls[name]),
            maxReceiveCount: options.maxReceiveCount ?? 2,
          }),
        },
      }),
    );
    queueUrls[name] = queue.QueueUrl as string;
  }
  await s3.send(
    new CreateBucketCommand({ Bucket: options.bucket, CreateBucketConfiguration: { LocationConstraint: 'eu-west-2' } }),
  );
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: options.bucket,
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            QueueArn: await queueArn(sqs, queueUrls['s3-events']),
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: options.prefix }] } },
          },
        ],
      },
    }),
  );
  return {
    s3,
    sqs,
    queueUrls,
    dlqUrls,
    async deadLetters(queue) {
      const bodies: string[] = [];
      // A zero visibility timeout leaves the messages where they are for the next look.
      for (let round = 0; round < 5; round += 1) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: dlqUrls[queue], MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
        );
        for (const message of Messages)
          if (!bodies.includes(message.Body as string)) bodies.push(message.Body as string);
      }
      return bodies;
    },
  };
}
