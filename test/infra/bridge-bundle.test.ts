/**
 * The S3 bridge Lambda exactly as CDK bundles it (cdk.out's asset, not the sources), run against moto with a real
 * S3 → SQS event: the seed queues are created with the names and redrive settings the synthesized template declares,
 * the secrets the handler reads at cold start live in Secrets Manager, and the payload key is decrypted by KMS.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CreateKeyCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { type MotoServer, startMotoServer } from '../../src/runtime/moto-server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { synthKycApp, type Template, templateOf } from './synth.ts';

const region = 'eu-west-2';
let moto: MotoServer;
let database: TestDatabase;
let outdir: string;
let connection: Connection;
const savedEnvironment = { ...process.env };

beforeAll(async () => {
  // Self-hosted Temporal without credentials: the test's dev server.
  outdir = synthKycApp({ 'kyc:temporalMode': 'self-hosted', 'kyc:temporalAuth': 'none' }).outdir;
  [moto, database, connection] = await Promise.all([
    startMotoServer(),
    createTestDatabase(),
    Connection.connect({ address: inject('temporalAddress') }),
  ]);
  Object.assign(process.env, {
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL: moto.endpoint,
  });
});

afterAll(async () => {
  process.env = savedEnvironment;
  await Promise.all([moto?.stop(), database?.close(), connection?.close()]);
});

type Resource = { Type: string; Properties: Record<string, unknown> };
const resources = (template: Template) => Object.entries(template.Resources) as Array<[string, Resource]>;
const clientConfig = () => ({
  region,
  endpoint: moto.endpoint,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});

/** The template's queues on moto: DLQs first, then each queue with its redrive policy pointing at the created DLQ. */
async function createQueuesFromTemplate(sqs: SQSClient, template: Template) {
  const queues = resources(template).filter(([, resource]) => resource.Type === 'AWS::SQS::Queue');
  const arnByLogicalId = new Map<string, string>();
  const urlByName = new Map<string, string>();
  const ordered = [
    ...queues.filter(([, queue]) => !queue.Properties.RedrivePolicy),
    ...queues.filter(([, queue]) => queue.Properties.RedrivePolicy),
  ];
  for (const [logicalId, queue] of ordered) {
    const { QueueName, VisibilityTimeout, MessageRetentionPeriod, RedrivePolicy } = queue.Properties as {
      QueueName: string;
      VisibilityTimeout?: number;
      MessageRetentionPeriod?: number;
      RedrivePolicy?: { deadLetterTargetArn: { 'Fn::GetAtt': [string, string] }; maxReceiveCount: number };
    };
    const attributes: Record<string, string> = {};
    if (VisibilityTimeout !== undefined) attributes.VisibilityTimeout = String(VisibilityTimeout);
    if (MessageRetentionPeriod !== undefined) attributes.MessageRetentionPeriod = String(MessageRetentionPeriod);
    if (RedrivePolicy) {
      attributes.RedrivePolicy = JSON.stringify({
        deadLetterTargetArn: arnByLogicalId.get(RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0]),
        maxReceiveCount: RedrivePolicy.maxReceiveCount,
      });
    }
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName, Attributes: attributes }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    arnByLogicalId.set(logicalId, Attributes?.QueueArn as string);
    urlByName.set(QueueName, QueueUrl as string);
  }
  return urlByName;
}

/** The function's environment from the template, its secret ARNs replaced by the secrets created on moto. */
function lambdaEnvironment(service: Template, secretArns: Record<string, string>) {
  const [, fn] = resources(service).find(
    ([, resource]) => resource.Type === 'AWS::Lambda::Function' && resource.Properties.FunctionName === 'kyc-s3-bridge',
  ) as [string, Resource];
  const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
  const join = variables.KYC_SECRET_ENV as { 'Fn::Join': [string, unknown[]] };
  const secretEnv = join['Fn::Join'][1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const reference = JSON.stringify(part);
      const secret = Object.keys(secretArns).find((name) => reference.includes(name));
      if (!secret) throw new Error(`unexpected reference in KYC_SECRET_ENV: ${reference}`);
      return secretArns[secret];
    })
    .join('');
  return { variables, secretEnv, assetKey: (fn.Properties.Code as { S3Key: string }).S3Key };
}

const sqsRecord = (message: Message, queueArn: string) => ({
  messageId: message.MessageId,
  receiptHandle: message.ReceiptHandle,
  body: message.Body,
  attributes: {},
  messageAttributes: {},
  md5OfBody: message.MD5OfBody,
  eventSource: 'aws:sqs',
  eventSourceARN: queueArn,
  awsRegion: region,
});

it("declares the seed queues' names and redrive settings, and moto holds them as declared", async () => {
  const sqs = new SQSClient(clientConfig());
  const urls = await createQueuesFromTemplate(sqs, templateOf(outdir, 'KycData'));
  for (const name of ['face-match', 'reg-request', 'reg-check-ingest', 'decision', 'kyc-raw-events']) {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: urls.get(name), AttributeNames: ['RedrivePolicy', 'QueueArn'] }),
    );
    const redrive = JSON.parse(Attributes?.RedrivePolicy ?? '{}');
    expect(redrive.maxReceiveCount, name).toBe(5);
    expect(redrive.deadLetterTargetArn).toBe(Attributes?.QueueArn?.replace(/:[^:]+$/, `:${name}-dlq`));
  }
});

it('runs the bundled handler on an S3 → SQS event: signals the upload, reports the bad record alone', async () => {
  const data = templateOf(outdir, 'KycData');
  const service = templateOf(outdir, 'KycService');
  const sqs = new SQSClient(clientConfig());
  const s3 = new S3Client({ ...clientConfig(), forcePathStyle: true });
  const kms = new KMSClient(clientConfig());
  const secrets = new SecretsManagerClient(clientConfig());
  const urls = await createQueuesFromTemplate(sqs, data);
  const eventsUrl = urls.get('kyc-raw-events') as string;
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: eventsUrl, AttributeNames: ['QueueArn'] }),
  );
  const eventsArn = Attributes?.QueueArn as string;

  // The bucket and its notification as the template declares them.
  const [, notifications] = resources(data).find(([, r]) => r.Type === 'Custom::S3BucketNotifications') as [
    string,
    Resource,
  ];
  const declared = (
    notifications.Properties.NotificationConfiguration as {
      QueueConfigurations: Array<{
        Events: string[];
        Filter: { Key: { FilterRules: Array<{ Name: string; Value: string }> } };
      }>;
    }
  ).QueueConfigurations[0];
  await s3.send(
    new CreateBucketCommand({ Bucket: 'kyc-raw', CreateBucketConfiguration: { LocationConstraint: region } }),
  );
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: 'kyc-raw',
      NotificationConfiguration: {
        QueueConfigurations: [
          { QueueArn: eventsArn, Events: declared?.Events as never, Filter: declared?.Filter as never },
        ],
      },
    }),
  );

  // What ops put into Secrets Manager before the first deploy, with the payload key encrypted under KMS.
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'alias/kyc-payload-codec' }));
  const { CiphertextBlob } = await kms.send(
    new GenerateDataKeyCommand({ KeyId: KeyMetadata?.KeyId, KeySpec: 'AES_256' }),
  );
  const secretArns: Record<string, string> = {};
  const putSecret = async (name: string, value: Record<string, string>) => {
    const { ARN } = await secrets.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(value) }));
    return ARN as string;
  };
  secretArns.DatabaseSecret = await putSecret('kyc/database', { username: 'kyc', password: 'unused-trust-auth' });
  secretArns.PayloadKeysSecret = await putSecret('kyc/payload-keys', {
    KYC_PAYLOAD_KEYS_KMS: `key-1:${Buffer.from(CiphertextBlob as Uint8Array).toString('base64')}`,
    KYC_PAYLOAD_KEY_ID: 'key-1',
  });

  const { variables, secretEnv, assetKey } = lambdaEnvironment(service, secretArns);
  const taskQueue = `bundle-${Date.now()}`;
  Object.assign(process.env, {
    KYC_S3_BUCKET: 'kyc-raw',
    KYC_S3_PREFIX: variables.KYC_S3_PREFIX,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: 'default',
    KYC_TASK_QUEUE: taskQueue,
    DATABASE_URL: database.url,
    KYC_SECRET_ENV: secretEnv,
    LOG_LEVEL: 'silent',
  });
  expect(variables.TEMPORAL_ADDRESS).toBe('my-namespace.a1b2c.tmprl.cloud:7233');

  const [user] = await database.sql<{ id: number }[]>`
    insert into users (email, reg_no, reg_type) values ('bundle@example.org', '7654321', 'GMC') returning id`;
  const userId = user?.id as number;
  await s3.send(
    new PutObjectCommand({ Bucket: 'kyc-raw', Key: `kyc-raw/${userId}/passport.jpg`, Body: Buffer.from('image') }),
  );
  await s3.send(new PutObjectCommand({ Bucket: 'kyc-raw', Key: 'kyc-raw/999999/selfie.jpg', Body: Buffer.from('x') }));
  // Outside the declared prefix: S3 sends nothing.
  await s3.send(new PutObjectCommand({ Bucket: 'kyc-raw', Key: 'elsewhere/1/selfie.jpg', Body: Buffer.from('x') }));

  const messages: Message[] = [];
  for (let attempt = 0; attempt < 5 && messages.length < 2; attempt += 1) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: eventsUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    messages.push(...Messages.filter((message) => !message.Body?.includes('s3:TestEvent')));
  }
  expect(messages).toHaveLength(2);
  const badMessage = messages.find((message) => message.Body?.includes('999999')) as Message;

  const assetDir = join(outdir, `asset.${assetKey.replace(/\.zip$/, '')}`);
  expect(existsSync(join(assetDir, 'index.mjs'))).toBe(true);
  const bundled = (await import(pathToFileURL(join(assetDir, 'index.mjs')).href)) as {
    handler(event: unknown): Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }>;
  };
  const response = await bundled.handler({ Records: messages.map((message) => sqsRecord(message, eventsArn)) });
  expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: badMessage.MessageId }] });

  // The good record became a signal-with-start of the user's workflow on the configured task queue.
  const client = new Client({ connection });
  const handle = client.workflow.getHandle(`kyc-user-${userId}`);
  const description = await handle.describe();
  expect(description.taskQueue).toBe(taskQueue);
  await handle.terminate('bundle test done');
});
