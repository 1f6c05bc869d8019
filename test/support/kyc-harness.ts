/**
 * Everything a KycWorkflow scenario needs, real where it can be: PostgreSQL with the migrated schema, a Temporal
 * server, a worker running the real activities, the AWS SDK clients pointed (through AWS_ENDPOINT_URL_*) at the
 * Textract/Rekognition stand-in, apify-client at the Apify stand-in, the real HTTP service receiving Apify's webhooks,
 * a real SMTP server for CS email and a signature-checking receiver for the product webhook.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { activitySettingsFromConfig } from '../../src/activities/deps.ts';
import { createActivities } from '../../src/activities/index.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import { type DocumentUploaded, type KycStatusView, kycWorkflowId } from '../../src/contract/kyc-workflow.ts';
import { createLogger, type Logger } from '../../src/logger.ts';
import { createAwsOutsideWorld } from '../../src/providers.ts';
import { freePort } from '../../src/runtime/ports.ts';
import { startDoors } from '../../src/starters/api.ts';
import { getKycStatus, type KycClient, signalDocumentUploaded } from '../../src/starters/kyc-client.ts';
import { type ApifyStandIn, startApifyStandIn } from '../stand-ins/apify.ts';
import { type AwsStandIn, startAwsStandIn } from '../stand-ins/aws-json.ts';
import { type ProductWebhookReceiver, startProductWebhookReceiver } from '../stand-ins/product-webhook.ts';
import { createTestDatabase, spreadUserIds, type TestDatabase } from './database.ts';
import { startTestOidcIssuer, type TestOidcIssuer } from './oidc-issuer.ts';
import {
  ACTORS,
  BUCKET,
  createScenarioProgrammer,
  type Person,
  type Scenario,
  type ScenarioProgrammer,
  SERVICE_TOKENS_SETTING,
  WEB_UI_TOKEN_SETTING,
} from './scenarios.ts';
import { type SmtpSink, startSmtpSink } from './smtp-sink.ts';
import { createTestWorker, createTimeSkippingEnvironment, testDataConverter } from './temporal.ts';
import { testUserKeyStore, userKeyedDataConverter } from './user-keys.ts';

export { ACTORS, BUCKET, type Person, type Scenario, SEED_PERSON, TOKEN, WEB_UI_TOKEN } from './scenarios.ts';

export interface KycHarness extends ScenarioProgrammer {
  env: TestWorkflowEnvironment;
  db: TestDatabase;
  aws: AwsStandIn;
  apify: ApifyStandIn;
  smtp: SmtpSink;
  product: ProductWebhookReceiver;
  /** The OIDC issuer people sign in with (TOKEN.cs, TOKEN.ops and PEOPLE's tokens are its). */
  oidc: TestOidcIssuer;
  kyc: KycClient;
  config: Config;
  /** The HTTP service's base URL. */
  url: string;
  /** Every line the service logged, when started with `captureLogs`. */
  logs: string[];
  /** Inserts the person as a PENDING user and programs the stand-ins for their documents. */
  enrol(person: Person, scenario?: Scenario): Promise<EnrolledUser>;
  upload(userId: number, upload: Omit<DocumentUploaded, 'bucket'>): Promise<void>;
  status(userId: number): Promise<KycStatusView>;
  /**
   * Polls the status query until `predicate` holds (workflow time does not move while polling). Never call it while
   * the workflow may be continuing as new: the time-skipping server leaves a query to the closing run unanswered and
   * stops skipping time for good. Wait for the new run with `waitForNextRun` first.
   */
  waitForStatus(userId: number, predicate: (status: KycStatusView) => boolean, what: string): Promise<KycStatusView>;
  /** The id of the user's current run. */
  runId(userId: number): Promise<string>;
  /** Waits until the user's workflow has continued as new past `previousRunId` (describe, not query). */
  waitForNextRun(userId: number, previousRunId: string): Promise<void>;
  close(): Promise<void>;
}

export interface EnrolledUser {
  userId: number;
  passportKey: string;
  selfieKey: string;
  livenessSessionId: string | undefined;
  /** Uploads the passport and the selfie (with its liveness session, if any). */
  uploadBoth(): Promise<void>;
}

export async function startKycHarness(
  options: {
    env?: TestWorkflowEnvironment;
    /** `env` is the run's dev server, which other files' workflows share. */
    sharedServer?: boolean;
    settings?: Record<string, string>;
    captureLogs?: boolean;
    /** See every call the client of the harness's own server makes (bench/cost.ts counts queries with one). */
    clientInterceptors?: WorkflowClientInterceptor[];
  } = {},
): Promise<KycHarness> {
  const db = await createTestDatabase();
  // A user's KycWorkflow payloads under their data key, as in production; on a dev server that a test brings, its
  // client's converter (the master key only) is the one every payload goes through.
  const userKeys = options.env ? undefined : testUserKeyStore(db.sql);
  const dataConverter = userKeys ? userKeyedDataConverter(userKeys) : testDataConverter;
  const env =
    options.env ?? (await createTimeSkippingEnvironment({ dataConverter, interceptors: options.clientInterceptors }));
  // On the run's shared dev server, this file's `kyc-user-<id>` workflows must not meet other files'.
  if (options.sharedServer) await spreadUserIds(db.sql);
  const [aws, apify, smtp, product, oidc] = await Promise.all([
    startAwsStandIn(),
    startApifyStandIn({ token: 'apify-test-token', finishAfterMs: 200 }),
    startSmtpSink(),
    startProductWebhookReceiver(),
    startTestOidcIssuer(),
  ]);
  // The AWS SDK reads the standard endpoint and credential variables itself.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_TEXTRACT: aws.endpoint,
    AWS_ENDPOINT_URL_REKOGNITION: aws.endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  });

  const logs: string[] = [];
  const logger: Logger = options.captureLogs
    ? createLogger({ level: 'debug', destination: { write: (line: string) => void logs.push(line) } })
    : createLogger({ level: 'silent' });
  const kyc: KycClient = { client: env.client, taskQueue: `kyc-${randomUUID()}` };
  const httpPort = await freePort();
  const config = loadConfig({
    // The stand-ins answer the AWS and Apify wire protocols, so the doors use the AWS providers (S3 for uploads).
    KYC_PROVIDERS: 'aws',
    DATABASE_URL: db.url,
    KYC_TASK_QUEUE: kyc.taskQueue,
    KYC_S3_BUCKET: BUCKET,
    APIFY_TOKEN: 'apify-test-token',
    APIFY_BASE_URL: apify.baseUrl,
    APIFY_ACTOR_GMC: ACTORS.GMC,
    APIFY_ACTOR_NMC: ACTORS.NMC,
    APIFY_ACTOR_GDC: ACTORS.GDC,
    APIFY_ACTOR_GPC: ACTORS.GPC,
    KYC_HTTP_PORT: String(httpPort),
    APIFY_WEBHOOK_URL: `http://127.0.0.1:${httpPort}/webhooks/apify`,
    KYC_WEBHOOK_SECRET: 'webhook-secret-for-tests-0123456789',
    KYC_SERVICE_TOKENS: `${SERVICE_TOKENS_SETTING},${WEB_UI_TOKEN_SETTING}`,
    ...oidc.settings,
    KYC_EMAIL_TRANSPORT: 'smtp',
    SMTP_URL: smtp.url,
    KYC_PRODUCT_WEBHOOK_URL: product.url,
    KYC_PRODUCT_WEBHOOK_SECRET: product.secret,
    ...options.settings,
  });
  const worker: Worker = await createTestWorker(env, {
    dataConverter,
    taskQueue: kyc.taskQueue,
    activities: createActivities({
      sql: db.sql,
      logger,
      settings: activitySettingsFromConfig(config),
      ...createAwsOutsideWorld(config, logger, db.sql),
    }),
  });
  const running = worker.run();
  // The real doors (HTTP service and any configured queue consumers) receive Apify's webhooks.
  const doors = await startDoors({ config, sql: db.sql, kyc, logger });

  const { program, programPassport } = createScenarioProgrammer(aws, apify, db.sql);

  const harness: KycHarness = {
    env,
    db,
    aws,
    apify,
    smtp,
    product,
    oidc,
    kyc,
    config,
    url: doors.url,
    logs,
    async enrol(person, scenario = {}) {
      const [row] = await db.sql<{ id: number }[]>`
        insert into users (email, reg_no, reg_type) values (${person.email}, ${person.regNo}, ${person.regType})
        returning id`;
      const userId = (row as { id: number }).id;
      const { livenessSessionId } = await harness.program(userId, person, scenario);
      const passportKey = `kyc-raw/${userId}/passport.jpg`;
      const selfieKey = `kyc-raw/${userId}/selfie.jpg`;
      return {
        userId,
        passportKey,
        selfieKey,
        livenessSessionId,
        uploadBoth: async () => {
          await harness.upload(userId, { kind: 'ID_DOCUMENT', key: passportKey, docType: 'passport' });
          await harness.upload(userId, {
            kind: 'SELFIE',
            key: selfieKey,
            ...(livenessSessionId ? { livenessSessionId } : {}),
          });
        },
      };
    },
    program,
    programPassport,
    upload: (userId, upload) => signalDocumentUploaded(kyc, userId, { bucket: BUCKET, ...upload }),
    status: (userId) => getKycStatus(kyc, userId),
    async waitForStatus(userId, predicate, what) {
      // Generous: with the whole suite on two cores, a fresh worker's first tasks can queue behind other files' work.
      const deadline = Date.now() + 90_000;
      let last: KycStatusView | undefined;
      while (Date.now() < deadline) {
        last = await env.connection
          .withDeadline(Date.now() + 5_000, () => getKycStatus(kyc, userId))
          .catch(() => undefined);
        if (last && predicate(last)) return last;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`timed out waiting for ${what}; last status: ${JSON.stringify(last)}`);
    },
    runId: async (userId) => (await env.client.workflow.getHandle(kycWorkflowId(userId)).describe()).runId,
    async waitForNextRun(userId, previousRunId) {
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        if ((await harness.runId(userId)) !== previousRunId) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`user ${userId}'s workflow did not continue as new`);
    },
    async close() {
      worker.shutdown();
      await running;
      await doors.stop();
      await Promise.all([aws.close(), apify.close(), smtp.close(), product.close(), oidc.close()]);
      await db.close();
      if (!options.env) await env.teardown();
    },
  };
  return harness;
}
