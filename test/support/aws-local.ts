/** Creates the service's AWS resources on moto_server: the upload bucket, the seed's queues with DLQs, S3 → SQS. */
import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type MotoServer, startMotoServer } from '../../src/runtime/moto-server.ts';

export const QUEUE_NAMES = ['s3-events', 'face-match', 'reg-request', 'reg-check-ingest', 'decision'] as const;
export type LocalQueue = (typeof QUEUE_NAMES)[number];

export interface LocalAws {
  moto: MotoServer;
  /** The KYC_QUEUE_URL_* settings that make the doors consume every queue. */
  queueSettings: Record<string, string>;
  s3: S3Client;
  sqs: SQSClient;
  queueUrls: Record<LocalQueue, string>;
  dlqUrls: Record<LocalQueue, string>;
  /** Everything now in a queue's DLQ, without removing it. */
  deadLetters(queue: LocalQueue): Promise<Array<{ messageId: string; body: string }>>;
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
export async function startLocalAws(
  options: { bucket?: string; prefix?: string; maxReceiveCount?: number; visibilityTimeout?: number } = {},
): Promise<LocalAws> {
  const moto = await startMotoServer();
  const endpoint = moto.endpoint;
  // The service's own AWS clients find moto through the SDK's standard variables.
  process.env.AWS_ENDPOINT_URL_S3 = endpoint;
  process.env.AWS_ENDPOINT_URL_SQS = endpoint;
  const namespace = randomUUID().slice(0, 8);
  const bucket = options.bucket ?? 'kyc-raw';
  const prefix = options.prefix ?? 'kyc-raw/';
  const s3 = new S3Client({ ...clientConfig(endpoint), forcePathStyle: true });
  const sqs = new SQSClient(clientConfig(endpoint));
  const queueUrls = {} as Record<LocalQueue, string>;
  const dlqUrls = {} as Record<LocalQueue, string>;
  for (const name of QUEUE_NAMES) {
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${namespace}-${name}-dlq` }));
    dlqUrls[name] = dlq.QueueUrl as string;
    const queue = await sqs.send(
      new CreateQueueCommand({
        QueueName: `${namespace}-${name}`,
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
    new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: 'eu-west-2' } }),
  );
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            QueueArn: await queueArn(sqs, queueUrls['s3-events']),
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: prefix }] } },
          },
        ],
      },
    }),
  );
  return {
    moto,
    queueSettings: {
      KYC_QUEUE_URL_S3_EVENTS: queueUrls['s3-events'],
      KYC_QUEUE_URL_FACE_MATCH: queueUrls['face-match'],
      KYC_QUEUE_URL_REG_REQUEST: queueUrls['reg-request'],
      KYC_QUEUE_URL_REG_CHECK_INGEST: queueUrls['reg-check-ingest'],
      KYC_QUEUE_URL_DECISION: queueUrls.decision,
    },
    s3,
    sqs,
    queueUrls,
    dlqUrls,
    async deadLetters(queue) {
      const letters = new Map<string, string>();
      // A zero visibility timeout leaves the messages where they are for the next look.
      for (let round = 0; round < 5; round += 1) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: dlqUrls[queue], MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
        );
        for (const message of Messages) letters.set(message.MessageId as string, message.Body as string);
      }
      return [...letters].map(([messageId, body]) => ({ messageId, body }));
    },
  };
}
