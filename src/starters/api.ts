/**
 * `npm run api`: the doors of the service in one process — the HTTP service (intake, Apify webhook, CS) and a
 * long-polling consumer for every documented queue that is configured. As an entry point it takes production
 * settings only (see configOrExit).
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { policyThresholds } from '../activities/deps.ts';
import type { Config } from '../config.ts';
import { loadPayloadKeys } from '../data-protection/keys.ts';
import { EncryptionCodec } from '../data-protection/payload-codec.ts';
import { createPostgresUserKeyStore } from '../data-protection/user-keys.ts';
import { createSql, type Sql } from '../db/pool.ts';
import { createAuthenticator } from '../identity/index.ts';
import { createLogger, type Logger } from '../logger.ts';
import { startBacklogPublisher } from '../metrics/backlog-publisher.ts';
import { startMetricsServer } from '../metrics/server.ts';
import { createServiceMetrics } from '../metrics/service-metrics.ts';
import { createLivenessService, createObjectStore } from '../providers.ts';
import { configOrExit } from './entry-config.ts';
import { buildHttpApp } from './http/app.ts';
import { type KycClient, signalRegisterResult } from './kyc-client.ts';
import { createQueueHandlers, type PollingConsumer, startPollingConsumer } from './queue-consumer.ts';
import { createS3Bridge } from './s3-bridge.ts';
import { connectKycClient } from './temporal-client.ts';

export interface RunningDoors {
  url: string;
  stop(): Promise<void>;
}

/** Starts the HTTP service and the queue consumers; used by `npm run api` and by `npm start`. */
export async function startDoors(options: {
  config: Config;
  sql: Sql;
  kyc: KycClient;
  logger: Logger;
}): Promise<RunningDoors> {
  const { config, sql, kyc, logger } = options;
  const sqs = new SQSClient({ region: config.AWS_REGION });
  const ingestQueueUrl = config.KYC_QUEUE_URL_REG_CHECK_INGEST;
  const payloadKeys = await loadPayloadKeys(config);
  const app = await buildHttpApp({
    sql,
    kyc,
    store: createObjectStore(config),
    liveness: createLivenessService(config),
    logger,
    authenticator: createAuthenticator({
      serviceTokens: config.serviceTokens,
      oidc: config.oidc,
      localAccounts: config.localAccounts ? { sql } : undefined,
    }),
    settings: {
      trustProxy: config.KYC_HTTP_TRUST_PROXY,
      bucket: config.KYC_S3_BUCKET,
      keyPrefix: config.KYC_S3_PREFIX,
      maxUploadBytes: config.KYC_UPLOAD_MAX_BYTES,
      maxUploadPixels: config.KYC_UPLOAD_MAX_PIXELS,
      intakeSignal: config.KYC_INTAKE_SIGNAL,
      webhookSecret: config.KYC_WEBHOOK_SECRET,
      webhookMaxAgeMs: config.KYC_WEBHOOK_MAX_AGE,
      codecCorsOrigins: config.KYC_CODEC_CORS_ORIGINS,
      console: {
        sessionSecret: config.consoleSessionSecret,
        secureCookies: config.production,
        reviewSlaMs: config.KYC_CS_REMINDER_AFTER,
        thresholds: policyThresholds(config),
        temporalUi: { url: config.KYC_TEMPORAL_UI_URL, namespace: config.TEMPORAL_NAMESPACE },
        localSignIn: config.localAccounts,
        oidc:
          config.oidc && config.consoleOidcClient
            ? { client: config.consoleOidcClient, provider: config.oidc }
            : undefined,
      },
    },
    // The Web UI's codec server shows whatever it is given: an unencrypted payload is passed back as it is, and one
    // whose person was erased as "erased".
    codec: new EncryptionCodec(payloadKeys, {
      acceptPlaintext: true,
      userKeys: createPostgresUserKeyStore(sql, payloadKeys),
      showErased: true,
    }),
    // With a reg-check-ingest queue the webhook is acknowledged once SQS holds it; without one, once signalled.
    handOffRegisterResult: ingestQueueUrl
      ? async (result) => {
          await sqs.send(new SendMessageCommand({ QueueUrl: ingestQueueUrl, MessageBody: JSON.stringify(result) }));
        }
      : (result) => signalRegisterResult(kyc, result),
  });
  const address = await app.listen({ host: config.KYC_HTTP_HOST, port: config.KYC_HTTP_PORT });

  const handlers = createQueueHandlers({ sql, kyc });
  const s3Bridge = createS3Bridge({ sql, kyc, bucket: config.KYC_S3_BUCKET, prefix: config.KYC_S3_PREFIX, logger });
  const queues = [
    ['s3-events', config.KYC_QUEUE_URL_S3_EVENTS, s3Bridge.handleMessage],
    ['face-match', config.KYC_QUEUE_URL_FACE_MATCH, handlers['face-match']],
    ['reg-request', config.KYC_QUEUE_URL_REG_REQUEST, handlers['reg-request']],
    ['reg-check-ingest', ingestQueueUrl, handlers['reg-check-ingest']],
    ['decision', config.KYC_QUEUE_URL_DECISION, handlers.decision],
  ] as const;
  const consumers: PollingConsumer[] = [];
  for (const [queue, queueUrl, handle] of queues) {
    if (queueUrl) consumers.push(startPollingConsumer({ sqs, queue, queueUrl, handle, logger }));
  }
  logger.info({ url: address, queues: consumers.length }, 'doors open');
  return {
    url: address,
    async stop() {
      await app.close();
      await Promise.all(consumers.map((consumer) => consumer.stop()));
    },
  };
}

/** `npm run api` (the image's `api` role): production settings only, no embedded PostgreSQL, no dev server. */
export async function runApi(config: Config = configOrExit('api')): Promise<void> {
  const logger = createLogger({ level: config.LOG_LEVEL });
  const sql = createSql(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE });
  const kyc = await connectKycClient(config, logger, sql);
  const doors = await startDoors({ config, sql, kyc, logger });
  const temporal = { client: kyc.client, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.KYC_TASK_QUEUE };
  const metrics = config.KYC_METRICS_PORT
    ? await startMetricsServer({
        host: config.KYC_METRICS_HOST,
        port: config.KYC_METRICS_PORT,
        registry: createServiceMetrics({
          sql,
          temporal,
          logger,
          ...(config.KYC_METRICS_DLQ_URLS
            ? {
                deadLetterQueues: {
                  sqs: new SQSClient({ region: config.AWS_REGION }),
                  urls: config.KYC_METRICS_DLQ_URLS,
                },
              }
            : {}),
        }),
      })
    : undefined;
  const backlogPublisher = config.KYC_METRICS_BACKLOG_NAMESPACE
    ? startBacklogPublisher({
        cloudwatch: new CloudWatchClient({ region: config.AWS_REGION }),
        namespace: config.KYC_METRICS_BACKLOG_NAMESPACE,
        temporal,
        logger,
      })
    : undefined;
  const shutdown = async () => {
    backlogPublisher?.stop();
    await metrics?.stop();
    await doors.stop();
    await kyc.close();
    await sql.end({ timeout: 5 });
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (import.meta.main) await runApi();
