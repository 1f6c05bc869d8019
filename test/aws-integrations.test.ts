/**
 * Every AWS adapter through its real SDK client against moto_server, no doubles: the SNS product channel, the SES v2
 * mail transport, the SQS mirror publisher, and the S3 object store with SSE-KMS under a KMS key.
 */
import { readFileSync, statSync } from 'node:fs';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateBucketCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSesEmailTransport } from '../src/adapters/email/ses.ts';
import { createS3ObjectStore } from '../src/adapters/s3/aws.ts';
import { createSnsChannel } from '../src/adapters/sns/index.ts';
import { createSqsPublisher } from '../src/adapters/sqs/index.ts';
import { type MotoServer, startMotoServer } from '../src/runtime/moto-server.ts';
import { loadSecretEnvironment } from '../src/starters/secret-environment.ts';

const region = 'eu-west-2';
let moto: MotoServer;
const config = () => ({
  region,
  endpoint: moto.endpoint,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});

beforeAll(async () => {
  moto = await startMotoServer();
});
afterAll(async () => {
  await moto?.stop();
});

/** Receives until `expected` messages are in, or `rounds` one-second polls have passed. */
async function receiveAll(sqs: SQSClient, queueUrl: string, expected: number, rounds = 10): Promise<Message[]> {
  const messages: Message[] = [];
  for (let attempt = 0; attempt < rounds && messages.length < expected; attempt += 1) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    messages.push(...Messages);
  }
  return messages;
}

describe('SNS product channel', () => {
  it('publishes the decision event with its idempotency key, as a subscriber receives it', async () => {
    const sns = new SNSClient(config());
    const sqs = new SQSClient(config());
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'kyc-decisions' }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'product-subscriber' }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes?.QueueArn }));

    const event = { type: 'kyc.decision', decisionId: 41, userId: 7, decision: 'PASS', reasons: [] };
    await createSnsChannel(sns, TopicArn as string).publish(event, 'decision-41-sns');

    const [delivered, ...more] = await receiveAll(sqs, QueueUrl as string, 1);
    expect(more).toEqual([]);
    const envelope = JSON.parse(delivered?.Body as string);
    expect(envelope.TopicArn).toBe(TopicArn);
    expect(JSON.parse(envelope.Message)).toEqual(event);
    expect(envelope.MessageAttributes.idempotencyKey).toEqual({ Type: 'String', Value: 'decision-41-sns' });
  });

  it('deduplicates a resend on a FIFO topic', async () => {
    const sns = new SNSClient(config());
    const sqs = new SQSClient(config());
    const { TopicArn } = await sns.send(
      new CreateTopicCommand({ Name: 'kyc-decisions.fifo', Attributes: { FifoTopic: 'true' } }),
    );
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: 'product-subscriber.fifo', Attributes: { FifoQueue: 'true' } }),
    );
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: Attributes?.QueueArn,
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    const channel = createSnsChannel(sns, TopicArn as string);
    await channel.publish({ decisionId: 42 }, 'decision-42-sns');
    await channel.publish({ decisionId: 42 }, 'decision-42-sns');
    // Polled for a second message that must not come.
    const messages = await receiveAll(sqs, QueueUrl as string, 2, 3);
    expect(messages.map((message) => JSON.parse(message.Body as string))).toEqual([{ decisionId: 42 }]);
  });
});

describe('SES v2 mail', () => {
  const message = {
    from: 'kyc-noreply@kyc.example.org',
    to: 'cs@example.org',
    subject: 'Manual review: case 7',
    text: 'Case 7 waits for a review: FACE_LOW_SIMILARITY.',
    messageId: 'notification-77@kyc.example.org',
  };

  it('refuses to send from an unverified identity, then sends the raw MIME message once the domain is verified', async () => {
    const ses = new SESv2Client(config());
    const transport = createSesEmailTransport(ses);
    await expect(transport.send(message)).rejects.toThrow(/Did not have authority to send from/);

    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'kyc.example.org' }));
    await transport.send(message);
    // moto's own record of what it was asked to send.
    const state = (await fetch(`${moto.endpoint}/moto-api/data.json`).then((response) => response.json())) as {
      ses?: unknown;
    };
    const sent = JSON.stringify(state.ses ?? state);
    expect(sent).toContain('Message-ID: <notification-77@kyc.example.org>');
    expect(sent).toContain('Subject: Manual review: case 7');
  });
});

describe('SQS mirror publisher', () => {
  it("sends the seed's decision message to a standard queue and deduplicates on a FIFO one", async () => {
    const sqs = new SQSClient(config());
    const publisher = createSqsPublisher(sqs);
    const standard = await sqs.send(new CreateQueueCommand({ QueueName: 'decision-mirror' }));
    await publisher.send(standard.QueueUrl as string, { user_id: 7 }, 'decision-7-1');
    const [received] = await receiveAll(sqs, standard.QueueUrl as string, 1);
    expect(JSON.parse(received?.Body as string)).toEqual({ user_id: 7 });

    const fifo = await sqs.send(
      new CreateQueueCommand({ QueueName: 'decision-mirror.fifo', Attributes: { FifoQueue: 'true' } }),
    );
    await publisher.send(fifo.QueueUrl as string, { user_id: 8 }, 'decision-8-1');
    await publisher.send(fifo.QueueUrl as string, { user_id: 8 }, 'decision-8-1');
    await publisher.send(fifo.QueueUrl as string, { user_id: 8 }, 'decision-8-2');
    const fifoMessages = await receiveAll(sqs, fifo.QueueUrl as string, 3, 3);
    expect(fifoMessages.map((message) => message.Body)).toEqual(['{"user_id":8}', '{"user_id":8}']);
  });
});

describe('S3 object store with SSE-KMS', () => {
  it('writes each upload encrypted under the configured KMS key and reads it back', async () => {
    const s3 = new S3Client({ ...config(), forcePathStyle: true });
    const kms = new KMSClient(config());
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'kyc uploads' }));
    await s3.send(
      new CreateBucketCommand({ Bucket: 'kyc-raw', CreateBucketConfiguration: { LocationConstraint: region } }),
    );
    const store = createS3ObjectStore(s3, { kmsKeyId: KeyMetadata?.Arn as string });
    const ref = { bucket: 'kyc-raw', key: 'kyc-raw/7/passport.jpg' };
    const image = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);

    await store.put(ref, image, 'image/jpeg');
    const head = await s3.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
    expect(head.ServerSideEncryption).toBe('aws:kms');
    expect(head.SSEKMSKeyId).toBe(KeyMetadata?.Arn);
    expect(Buffer.from(await store.get(ref))).toEqual(image);

    // Without a key the store leaves encryption to the bucket's default.
    const plain = createS3ObjectStore(s3);
    await plain.put({ bucket: 'kyc-raw', key: 'kyc-raw/7/selfie.jpg' }, image, 'image/jpeg');
    const plainHead = await s3.send(new HeadObjectCommand({ Bucket: 'kyc-raw', Key: 'kyc-raw/7/selfie.jpg' }));
    expect(plainHead.SSEKMSKeyId).toBeUndefined();
  });
});

describe("the Lambda's secrets from Secrets Manager", () => {
  it('sets values into the environment, and writes file-valued settings to private files', async () => {
    const secrets = new SecretsManagerClient(config());
    const { ARN } = await secrets.send(
      new CreateSecretCommand({
        Name: 'kyc/temporal-test',
        SecretString: JSON.stringify({
          TEMPORAL_API_KEY: 'api-key-value',
          TEMPORAL_TLS_CERT: '-----BEGIN CERTIFICATE-----',
        }),
      }),
    );
    const environment: NodeJS.ProcessEnv = {};
    const names = await loadSecretEnvironment(
      secrets,
      `TEMPORAL_API_KEY=${ARN}#TEMPORAL_API_KEY,TEMPORAL_TLS_CLIENT_CERT_PATH=file:${ARN}#TEMPORAL_TLS_CERT`,
      environment,
    );
    expect(names).toEqual(['TEMPORAL_API_KEY', 'TEMPORAL_TLS_CLIENT_CERT_PATH']);
    expect(environment.TEMPORAL_API_KEY).toBe('api-key-value');
    const path = environment.TEMPORAL_TLS_CLIENT_CERT_PATH as string;
    expect(readFileSync(path, 'utf8')).toBe('-----BEGIN CERTIFICATE-----');
    expect(statSync(path).mode & 0o077).toBe(0);
    await expect(loadSecretEnvironment(secrets, `X=${ARN}#MISSING`, {})).rejects.toThrow(/no string field MISSING/);
    await expect(loadSecretEnvironment(secrets, 'not a reference', {})).rejects.toThrow(/expected NAME=/);
  });
});
