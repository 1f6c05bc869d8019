/**
 * Builds each outside system's client from configuration: the one place that chooses implementations. KYC_PROVIDERS
 * picks AWS and Apify, or local software for each: a folder, tesseract.js, @vladmandic/human and register snapshots.
 */

import { join } from 'node:path';
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { TextractClient } from '@aws-sdk/client-textract';
import { ApifyClient } from 'apify-client';
import type { ActivityDeps } from './activities/deps.ts';
import type { QueueMirror } from './activities/mirror.ts';
import { createApifyRegisterScraper } from './adapters/apify/apify.ts';
import { createSnapshotRegisterScraper } from './adapters/apify/snapshot.ts';
import { createRegisterSources, type RegisterSources } from './adapters/apify/sources.ts';
import type { EmailTransport } from './adapters/email/index.ts';
import { createOutboxEmailTransport } from './adapters/email/outbox.ts';
import { createSesEmailTransport } from './adapters/email/ses.ts';
import { createSmtpEmailTransport } from './adapters/email/smtp.ts';
import { createLocalFaceIndex } from './adapters/face-index/pgvector.ts';
import { createRekognitionFaceIndex } from './adapters/face-index/rekognition.ts';
import type { ProductChannel } from './adapters/product-channel.ts';
import { createRekognitionFaceAnalyzer, createRekognitionLivenessService } from './adapters/rekognition/aws.ts';
import type { ImageSource, LivenessService } from './adapters/rekognition/index.ts';
import { createPassiveLivenessService } from './adapters/rekognition/passive-liveness.ts';
import { createS3ObjectStore } from './adapters/s3/aws.ts';
import { createFolderObjectStore } from './adapters/s3/folder.ts';
import type { ObjectStore } from './adapters/s3/index.ts';
import { createSnsChannel } from './adapters/sns/index.ts';
import { createSqsPublisher } from './adapters/sqs/index.ts';
import { createTextractDocumentReader } from './adapters/textract/aws.ts';
import { createWebhookChannel } from './adapters/webhook/index.ts';
import type { Config } from './config.ts';
import type { Sql } from './db/pool.ts';
import type { Logger } from './logger.ts';

/**
 * Each AWS call retries a throttle or a 5xx itself, a few times with the SDK's jittered backoff (its standard mode,
 * three attempts), before the activity sees an error. An activity such as `checkFace` makes up to five billed calls:
 * retrying the whole attempt for one throttled call would pay for the others again and, after a few unlucky rolls,
 * leave the case waiting out a minute-long activity backoff. What outlasts those three attempts is Temporal's to
 * retry, under the step's budget (README, "Retry budgets").
 */
const CALL_RETRIES = { maxAttempts: 3, retryMode: 'standard' } as const;

export type OutsideWorld = Pick<
  ActivityDeps,
  | 'documents'
  | 'faces'
  | 'faceIndex'
  | 'objects'
  | 'liveness'
  | 'registers'
  | 'registerSources'
  | 'email'
  | 'productChannels'
  | 'mirror'
>;

/** The outside world of a running worker; local engines hold models and a worker thread until closed. */
export interface ClosableOutsideWorld extends OutsideWorld {
  close(): Promise<void>;
}

/** The outside world KYC_PROVIDERS names; `sql` keeps the face index's bookkeeping rows. */
export async function createOutsideWorld(config: Config, logger: Logger, sql: Sql): Promise<ClosableOutsideWorld> {
  if (config.KYC_PROVIDERS === 'local') return await createLocalOutsideWorld(config, logger, sql);
  return { ...createAwsOutsideWorld(config, logger, sql), close: async () => {} };
}

/**
 * Everything on this machine: OCR and face analysis read the uploads from the object store (a folder by default),
 * register look-ups read the snapshot files, and their runs are kept under KYC_DATA_DIR like Apify keeps its runs.
 * Mail, product notifications and queue mirrors follow their own settings, as in AWS mode.
 */
export async function createLocalOutsideWorld(config: Config, logger: Logger, sql: Sql): Promise<ClosableOutsideWorld> {
  // Loaded only here: tesseract.js, human with TensorFlow.js, canvas and usearch would otherwise sit in every worker's
  // memory, AWS mode's too (README, "Benchmarks").
  const [
    { createTesseractDocumentReader },
    { createHumanFaceAnalyzer, FACE_DESCRIPTOR_LENGTH, similarityOfDistance },
    { createUsearchFaceIndex },
  ] = await Promise.all([
    import('./adapters/textract/tesseract.ts'),
    import('./adapters/rekognition/human.ts'),
    import('./adapters/face-index/usearch.ts'),
  ]);
  const store = createObjectStore(config);
  const documents = createTesseractDocumentReader(store);
  const faces = createHumanFaceAnalyzer(store);
  const embeddings = {
    sql,
    describe: (image: ImageSource) => faces.describeFace(image),
    similarityOfDistance,
    dimensions: FACE_DESCRIPTOR_LENGTH,
  };
  const faceIndex = createLocalFaceIndex({
    ...embeddings,
    fallback: createUsearchFaceIndex({
      ...embeddings,
      file: join(config.KYC_DATA_DIR, 'face-index', 'accepted-faces.usearch'),
    }),
  });
  return {
    documents,
    faces,
    faceIndex,
    objects: store,
    liveness: createLivenessService(config),
    registers: createSnapshotRegisterScraper({
      snapshotDir: config.KYC_REGISTER_SNAPSHOT_DIR,
      runsDir: join(config.KYC_DATA_DIR, 'register-runs'),
    }),
    registerSources: registerSourcesOf(config, null),
    email: createEmailTransport(config, logger),
    productChannels: createProductChannels(config),
    mirror: createQueueMirror(config),
    async close() {
      await Promise.all([documents.close(), faces.close(), faceIndex.close()]);
    },
  };
}

const rekognitionClient = (config: Config) => new RekognitionClient({ region: config.AWS_REGION, ...CALL_RETRIES });

const apifyActors = (config: Config) => ({
  GMC: config.APIFY_ACTOR_GMC,
  NMC: config.APIFY_ACTOR_NMC,
  GDC: config.APIFY_ACTOR_GDC,
  GPC: config.APIFY_ACTOR_GPC,
});

/** The monitor's sources: data downloads where configured, else the actors (AWS mode) or the snapshots (local). */
function registerSourcesOf(config: Config, apify: ApifyClient | null): RegisterSources {
  return createRegisterSources({
    dataFiles: config.KYC_REGISTER_DATA_FILES ?? {},
    actors: apify ? apifyActors(config) : {},
    apify,
    snapshotDir: config.KYC_PROVIDERS === 'local' ? config.KYC_REGISTER_SNAPSHOT_DIR : null,
  });
}

export function createAwsOutsideWorld(config: Config, logger: Logger, sql: Sql): OutsideWorld {
  const apify = new ApifyClient({ token: config.APIFY_TOKEN, baseUrl: config.APIFY_BASE_URL, maxRetries: 0 });
  return {
    documents: createTextractDocumentReader(new TextractClient({ region: config.AWS_REGION, ...CALL_RETRIES })),
    faces: createRekognitionFaceAnalyzer(rekognitionClient(config)),
    faceIndex: createRekognitionFaceIndex(rekognitionClient(config), sql, config.KYC_FACE_COLLECTION_ID),
    objects: createObjectStore(config),
    liveness: createLivenessService(config),
    registers: createApifyRegisterScraper(apify, apifyActors(config)),
    registerSources: registerSourcesOf(config, apify),
    email: createEmailTransport(config, logger),
    productChannels: createProductChannels(config),
    mirror: createQueueMirror(config),
  };
}

/** Locally there are no Face Liveness sessions: the selfie's passive score stands in (see check-face). */
export function createLivenessService(config: Config): LivenessService {
  if (config.KYC_PROVIDERS === 'local') return createPassiveLivenessService();
  return createRekognitionLivenessService(rekognitionClient(config));
}

export function createQueueMirror(config: Config): QueueMirror | null {
  const queueUrls = {
    'face-match': config.KYC_MIRROR_QUEUE_URL_FACE_MATCH,
    'reg-request': config.KYC_MIRROR_QUEUE_URL_REG_REQUEST,
    decision: config.KYC_MIRROR_QUEUE_URL_DECISION,
  };
  if (!Object.values(queueUrls).some(Boolean)) return null;
  return { publisher: createSqsPublisher(new SQSClient({ region: config.AWS_REGION, ...CALL_RETRIES })), queueUrls };
}

export function createEmailTransport(config: Config, logger: Logger): EmailTransport {
  switch (config.KYC_EMAIL_TRANSPORT) {
    case 'ses':
      return createSesEmailTransport(new SESv2Client({ region: config.AWS_REGION, ...CALL_RETRIES }));
    case 'smtp':
      return createSmtpEmailTransport(config.SMTP_URL as string);
    case 'outbox':
      return createOutboxEmailTransport(config.KYC_OUTBOX_DIR, logger);
  }
}

export function createProductChannels(config: Config): ProductChannel[] {
  const channels: ProductChannel[] = [];
  if (config.KYC_PRODUCT_WEBHOOK_URL && config.KYC_PRODUCT_WEBHOOK_SECRET) {
    channels.push(
      createWebhookChannel({ url: config.KYC_PRODUCT_WEBHOOK_URL, secret: config.KYC_PRODUCT_WEBHOOK_SECRET }),
    );
  }
  if (config.KYC_PRODUCT_SNS_TOPIC_ARN) {
    channels.push(
      createSnsChannel(new SNSClient({ region: config.AWS_REGION, ...CALL_RETRIES }), config.KYC_PRODUCT_SNS_TOPIC_ARN),
    );
  }
  return channels;
}

/** Talking to a local S3 stand-in (an AWS_ENDPOINT_URL is set) needs path-style URLs: no wildcard DNS on loopback. */
function s3Client(config: Config): S3Client {
  const customEndpoint = Boolean(process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL);
  return new S3Client({ region: config.AWS_REGION, forcePathStyle: customEndpoint, ...CALL_RETRIES });
}

export function createObjectStore(config: Config): ObjectStore {
  if (config.KYC_OBJECT_STORE === 'folder') return createFolderObjectStore(join(config.KYC_DATA_DIR, 'objects'));
  return createS3ObjectStore(s3Client(config), config.KYC_S3_KMS_KEY_ID ? { kmsKeyId: config.KYC_S3_KMS_KEY_ID } : {});
}
