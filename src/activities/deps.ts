/** What the activities need from the outside world, injected so tests can hand in stand-ins. */
import { join } from 'node:path';
import type { RegisterScraper } from '../adapters/apify/index.ts';
import type { RegisterSources } from '../adapters/apify/sources.ts';
import type { EmailTransport } from '../adapters/email/index.ts';
import type { FaceIndex } from '../adapters/face-index/index.ts';
import type { ProductChannel } from '../adapters/product-channel.ts';
import type { FaceAnalyzer, LivenessService } from '../adapters/rekognition/index.ts';
import type { ObjectStore } from '../adapters/s3/index.ts';
import type { DocumentReader } from '../adapters/textract/index.ts';
import type { Config } from '../config.ts';
import type { CycleSettings, ProviderNames, UploadLocation } from '../contract/activities.ts';
import type { Sql } from '../db/pool.ts';
import type { DecisionPolicy, PolicyThresholds } from '../domain/policy.ts';
import type { SelfieQualityThresholds } from '../domain/selfie-quality.ts';
import type { Logger } from '../logger.ts';
import { loadPolicy } from '../policies.ts';
import type { QueueMirror } from './mirror.ts';

export interface ActivitySettings {
  cycle: CycleSettings;
  uploads: UploadLocation;
  providers: ProviderNames;
  /** The decision policy in force (KYC_POLICY_VERSION); its version goes on every decision. */
  policy: DecisionPolicy;
  /** Where uploads are stored (the S3 bridge refuses any other bucket). */
  selfiesBucket: string;
  /** Key of the HMAC that document numbers and identities are stored under for duplicate look-ups. */
  identityHashKey: string;
  livenessThreshold: number;
  selfieQuality: SelfieQualityThresholds;
  /** Where Apify calls back; null when no public receiver exists, and the workflow then polls. */
  registerWebhookUrl: string | null;
  webhookSecret: string;
  email: { from: string; csAddress: string; opsAddress: string; complianceAddress: string | null };
  links: { csBaseUrl: string; temporalUiUrl: string; namespace: string };
  /** Documents per expiry-pass batch (one activity each). */
  expiry: { batchSize: number };
  /** Users per register-monitor batch, and where the register files a pass read are kept for the next pass's diff. */
  monitor: { batchSize: number; keptFilesDir: string };
  /** Images are deleted this many days after a final decision (KYC_IMAGE_RETENTION), a batch per activity. */
  imageRetention: { days: number; batchSize: number };
}

export interface ActivityDeps {
  sql: Sql;
  logger: Logger;
  documents: DocumentReader;
  faces: FaceAnalyzer;
  /** Accepted selfies' faces, searched for the same face under another user. */
  faceIndex: FaceIndex;
  /** The uploads, for erasure and retention to delete. */
  objects: ObjectStore;
  liveness: LivenessService;
  registers: RegisterScraper;
  /** Each register's source for the daily monitor; null for a register without one. */
  registerSources: RegisterSources;
  email: EmailTransport;
  productChannels: ProductChannel[];
  /** Publishes the seed's queue messages for downstream consumers; null when no mirror queue is configured. */
  mirror: QueueMirror | null;
  settings: ActivitySettings;
}

/** Images per retention activity: each is a delete call, so a batch stays well inside the activity's timeout. */
const RETENTION_BATCH_SIZE = 200;

const PROVIDER_NAMES: Record<Config['KYC_PROVIDERS'], ProviderNames> = {
  aws: { ocr: 'Textract', face: 'Rekognition', register: 'Apify' },
  local: { ocr: 'tesseract.js', face: 'human (local)', register: 'Register snapshot' },
};

export function activitySettingsFromConfig(config: Config): ActivitySettings {
  return {
    cycle: {
      documentsTimeoutMs: config.KYC_DOCUMENTS_TIMEOUT,
      registerWebhookTimeoutMs: config.KYC_REGISTER_WEBHOOK_TIMEOUT,
      registerPollTimeoutMs: config.KYC_REGISTER_POLL_TIMEOUT,
      csReminderAfterMs: config.KYC_CS_REMINDER_AFTER,
      uploadSettleMs: config.KYC_UPLOAD_SETTLE,
    },
    uploads: { bucket: config.KYC_S3_BUCKET, keyPrefix: config.KYC_S3_PREFIX },
    providers: PROVIDER_NAMES[config.KYC_PROVIDERS],
    policy: loadPolicy(config.KYC_POLICY_VERSION),
    identityHashKey: config.KYC_IDENTITY_HASH_KEY,
    selfiesBucket: config.KYC_S3_BUCKET,
    livenessThreshold: config.KYC_LIVENESS_THRESHOLD,
    selfieQuality: {
      minSharpness: config.KYC_SELFIE_MIN_SHARPNESS,
      minBrightness: config.KYC_SELFIE_MIN_BRIGHTNESS,
      maxBrightness: config.KYC_SELFIE_MAX_BRIGHTNESS,
    },
    registerWebhookUrl: config.APIFY_WEBHOOK_URL ?? null,
    webhookSecret: config.KYC_WEBHOOK_SECRET,
    email: {
      from: config.KYC_EMAIL_FROM,
      csAddress: config.KYC_CS_EMAIL,
      opsAddress: config.KYC_OPS_EMAIL,
      complianceAddress: config.KYC_COMPLIANCE_EMAIL ?? null,
    },
    links: {
      csBaseUrl: config.KYC_CS_BASE_URL,
      temporalUiUrl: config.KYC_TEMPORAL_UI_URL,
      namespace: config.TEMPORAL_NAMESPACE,
    },
    expiry: { batchSize: config.KYC_EXPIRY_BATCH_SIZE },
    monitor: {
      batchSize: config.KYC_MONITOR_BATCH_SIZE,
      keptFilesDir: join(config.KYC_DATA_DIR, 'register-files'),
    },
    imageRetention: { days: config.KYC_IMAGE_RETENTION / 86_400_000, batchSize: RETENTION_BATCH_SIZE },
  };
}

/** The active decision policy's thresholds; the CS console marks them on its face-similarity scale. */
export function policyThresholds(config: Config): PolicyThresholds {
  return loadPolicy(config.KYC_POLICY_VERSION).thresholds;
}
