/** Builds the activities' outside-world clients from configuration. */
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import { TextractClient } from '@aws-sdk/client-textract';
import { ApifyClient } from 'apify-client';
import type { ActivityDeps } from '../activities/deps.ts';
import { createApifyRegisterScraper } from '../adapters/apify/apify.ts';
import type { EmailTransport } from '../adapters/email/index.ts';
import { createOutboxEmailTransport } from '../adapters/email/outbox.ts';
import { createSesEmailTransport } from '../adapters/email/ses.ts';
import { createSmtpEmailTransport } from '../adapters/email/smtp.ts';
import type { ProductChannel } from '../adapters/product-channel.ts';
import { createRekognitionFaceAnalyzer, createRekognitionLivenessService } from '../adapters/rekognition/aws.ts';
import { createSnsChannel } from '../adapters/sns/index.ts';
import { createTextractDocumentReader } from '../adapters/textract/aws.ts';
import { createWebhookChannel } from '../adapters/webhook/index.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';

/**
 * Retries belong to Temporal's activity retry policies, so every SDK makes exactly one attempt per call; otherwise
 * throttling would be retried at two layers and hidden from the workflow history.
 */
const SINGLE_ATTEMPT = { maxAttempts: 1 } as const;

export type OutsideWorld = Pick<
  ActivityDeps,
  'documents' | 'faces' | 'liveness' | 'registers' | 'email' | 'productChannels'
>;

export function createAwsOutsideWorld(config: Config, logger: Logger): OutsideWorld {
  const region = config.AWS_REGION;
  const rekognition = new RekognitionClient({ region, ...SINGLE_ATTEMPT });
  return {
    documents: createTextractDocumentReader(new TextractClient({ region, ...SINGLE_ATTEMPT })),
    faces: createRekognitionFaceAnalyzer(rekognition),
    liveness: createRekognitionLivenessService(rekognition),
    registers: createApifyRegisterScraper(
      new ApifyClient({ token: config.APIFY_TOKEN, baseUrl: config.APIFY_BASE_URL, maxRetries: 0 }),
      {
        GMC: config.APIFY_ACTOR_GMC,
        NMC: config.APIFY_ACTOR_NMC,
        GDC: config.APIFY_ACTOR_GDC,
        GPC: config.APIFY_ACTOR_GPC,
      },
    ),
    email: createEmailTransport(config, logger),
    productChannels: createProductChannels(config),
  };
}

export function createEmailTransport(config: Config, logger: Logger): EmailTransport {
  switch (config.KYC_EMAIL_TRANSPORT) {
    case 'ses':
      return createSesEmailTransport(new SESv2Client({ region: config.AWS_REGION, ...SINGLE_ATTEMPT }));
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
      createSnsChannel(
        new SNSClient({ region: config.AWS_REGION, ...SINGLE_ATTEMPT }),
        config.KYC_PRODUCT_SNS_TOPIC_ARN,
      ),
    );
  }
  return channels;
}
