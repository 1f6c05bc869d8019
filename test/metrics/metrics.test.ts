/**
 * `/metrics` after real verifications: the service's own metrics computed from PostgreSQL, Temporal visibility and
 * SQS (moto), and the Temporal SDK's runtime metrics as the real worker entry point (`src/workers/main.ts`) serves
 * them. The task-queue backlog also goes to CloudWatch (moto) for the worker autoscaling.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KycStage } from '../../src/contract/search-attributes.ts';
import { createLogger } from '../../src/logger.ts';
import { BACKLOG_METRIC_NAME, publishBacklog } from '../../src/metrics/backlog-publisher.ts';
import { type MetricsServer, startMetricsServer } from '../../src/metrics/server.ts';
import { createServiceMetrics, SERVICE_METRIC_NAMES } from '../../src/metrics/service-metrics.ts';
import { type MotoServer, startMotoServer } from '../../src/runtime/moto-server.ts';
import { freePort } from '../../src/runtime/ports.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { type KycHarness, SEED_PERSON, startKycHarness } from '../support/kyc-harness.ts';
import { parsePrometheusText, type Sample } from './prometheus-text.ts';
import { TEMPORAL_SDK_METRICS } from './temporal-sdk-metrics.ts';

const region = 'eu-west-2';
let h: KycHarness;
let moto: MotoServer;
let connection: Connection;
let devServer: Client;
let server: MetricsServer;
const needsAttentionId = `metrics-needs-attention-${randomUUID()}`;
const idleTaskQueue = `metrics-idle-${randomUUID()}`;
const clientConfig = () => ({
  region,
  endpoint: moto.endpoint,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});

const find = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );

describe('the HTTP service /metrics', () => {
  beforeAll(async () => {
    [h, moto, connection] = await Promise.all([
      startKycHarness(),
      startMotoServer(),
      Connection.connect({ address: inject('temporalAddress') }),
    ]);
    devServer = new Client({ connection });
    // A verification that passes, and one that waits for CS (no liveness result).
    const passing = await h.enrol(SEED_PERSON);
    await passing.uploadBoth();
    // A person of their own (passport, birth date), or the fraud controls would see one person behind two accounts.
    const reviewed = await h.enrol(
      {
        ...SEED_PERSON,
        regNo: '7222222',
        email: 'review@example.org',
        passportNumber: '300222222',
        birthDate: '1987-03-04',
      },
      { liveness: null },
    );
    await reviewed.uploadBoth();
    await h.waitForStatus(passing.userId, (s) => s.stage === 'DECIDED', 'the PASS');
    await h.waitForStatus(reviewed.userId, (s) => s.stage === 'AWAITING_REVIEW', 'the review');
    // The last expiry pass recorded one 30-day reminder (an earlier pass recorded another, which must not count).
    const [document] = await h.db.sql<{ id: number; userId: number }[]>`
      select id, user_id as "userId" from id_documents where user_id = ${passing.userId} limit 1`;
    await h.db.sql`
      insert into expiry_reminders (id_document_id, expiry_date, threshold_days, user_id, pass_id, recorded_at)
      values (${document?.id as number}, current_date + 90, 90, ${passing.userId}, ${randomUUID()}, now() - interval '7 days'),
             (${document?.id as number}, current_date + 30, 30, ${passing.userId}, ${randomUUID()}, now())`;
    // A case that waits for ops, on a task queue no worker polls (so its first workflow task is backlog too).
    await devServer.workflow.start('KycWorkflow', {
      workflowId: needsAttentionId,
      taskQueue: idleTaskQueue,
      args: [],
      typedSearchAttributes: [{ key: KycStage, value: 'NEEDS_ATTENTION' }],
    });
    // A poison message in a dead-letter queue.
    const sqs = new SQSClient(clientConfig());
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'face-match-dlq' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '{"user_id":"not a number"}' }));
    const empty = await sqs.send(new CreateQueueCommand({ QueueName: 'decision-dlq' }));

    server = await startMetricsServer({
      host: '127.0.0.1',
      port: 0,
      registry: createServiceMetrics({
        sql: h.db.sql,
        temporal: { client: devServer, namespace: 'default', taskQueue: idleTaskQueue },
        deadLetterQueues: {
          sqs,
          urls: { 'face-match-dlq': QueueUrl as string, 'decision-dlq': empty.QueueUrl as string },
        },
        logger: createLogger({ level: 'silent' }),
      }),
    });
  });

  afterAll(async () => {
    if (server) await devServer.workflow.getHandle(needsAttentionId).terminate('metrics test done');
    await server?.stop();
    await h?.close();
    await moto?.stop();
    await connection?.close();
  });

  it('reports every service metric, with the values the verifications left behind', async () => {
    const response = await fetch(server.url);
    expect(response.status).toBe(200);
    const { samples, families } = parsePrometheusText(await response.text());
    expect([...families].filter((name) => name.startsWith('kyc_')).sort()).toEqual([...SERVICE_METRIC_NAMES].sort());

    expect(find(samples, 'kyc_decisions', { decision: 'PASS', reason: 'NONE', source: 'AUTOMATIC' })).toEqual([
      expect.objectContaining({ value: 1 }),
    ]);
    expect(find(samples, 'kyc_decisions', { decision: 'MANUAL_REVIEW' }).length).toBeGreaterThan(0);
    for (const quantile of ['0.5', '0.95', '0.99']) {
      const [latency] = find(samples, 'kyc_upload_to_decision_seconds', { quantile });
      expect(latency?.value).toBeGreaterThanOrEqual(0);
      expect(latency?.value).toBeLessThan(3600);
    }
    expect(find(samples, 'kyc_register_latency_seconds', { register: 'GMC', quantile: '0.5' })).toHaveLength(1);
    expect(find(samples, 'kyc_reviews_pending')).toEqual([expect.objectContaining({ value: 1 })]);
    expect(find(samples, 'kyc_review_oldest_age_seconds')[0]?.value).toBeGreaterThan(0);
    expect(find(samples, 'kyc_dlq_messages', { queue: 'face-match-dlq' })[0]?.value).toBe(1);
    expect(find(samples, 'kyc_dlq_messages', { queue: 'decision-dlq' })[0]?.value).toBe(0);
    // Every notification went out: the outbox has nothing pending, so the gauge has no series.
    expect(find(samples, 'kyc_notifications_pending')).toEqual([]);
    expect(find(samples, 'kyc_expiry_last_pass_reminders')).toEqual([
      expect.objectContaining({ labels: { threshold_days: '30' }, value: 1 }),
    ]);
    expect(find(samples, 'kyc_expiry_last_pass_timestamp_seconds')[0]?.value).toBeGreaterThan(Date.now() / 1000 - 600);
    expect(find(samples, 'kyc_metrics_collect_errors_total')).toEqual([]);
    expect(find(samples, 'process_cpu_seconds_total')).toHaveLength(1);
  });

  it('counts NEEDS_ATTENTION cases through visibility and the task-queue backlog through DescribeTaskQueue', async () => {
    // Visibility is eventually consistent: poll the scrape until the dev server has indexed the start.
    let samples: Sample[] = [];
    for (let attempt = 0; attempt < 50; attempt += 1) {
      samples = parsePrometheusText(await (await fetch(server.url)).text()).samples;
      const attention = find(samples, 'kyc_needs_attention_cases')[0]?.value ?? 0;
      const backlog = find(samples, 'kyc_task_queue_backlog', { type: 'workflow' })[0]?.value ?? 0;
      if (attention >= 1 && backlog >= 1) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(find(samples, 'kyc_needs_attention_cases')[0]?.value).toBeGreaterThanOrEqual(1);
    expect(find(samples, 'kyc_task_queue_backlog', { task_queue: idleTaskQueue, type: 'workflow' })[0]?.value).toBe(1);
  });

  it('puts the backlog into CloudWatch, where the worker autoscaling reads it', async () => {
    const cloudwatch = new CloudWatchClient(clientConfig());
    const published = await publishBacklog({
      cloudwatch,
      namespace: 'KYC',
      temporal: { client: devServer, namespace: 'default', taskQueue: idleTaskQueue },
    });
    expect(published).toBeGreaterThanOrEqual(1);
    const { Datapoints = [] } = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'KYC',
        MetricName: BACKLOG_METRIC_NAME,
        Dimensions: [{ Name: 'TaskQueue', Value: idleTaskQueue }],
        StartTime: new Date(Date.now() - 600_000),
        EndTime: new Date(Date.now() + 60_000),
        Period: 60,
        Statistics: ['Maximum'],
      }),
    );
    expect(Datapoints.map((point) => point.Maximum)).toContain(published);
  });
});

describe('the worker /metrics', () => {
  let worker: ChildProcess;
  let database: TestDatabase;
  let url: string;
  let workerErrors = '';

  beforeAll(async () => {
    database = await createTestDatabase();
    const [metricsPort, runtimePort] = [await freePort(), await freePort()];
    url = `http://127.0.0.1:${metricsPort}/metrics`;
    // The image's entry point in its worker role, which takes production settings only.
    worker = spawn(process.execPath, ['src/production.ts', 'worker'], {
      env: {
        PATH: process.env.PATH,
        KYC_WEBHOOK_SECRET: randomBytes(48).toString('base64'),
        KYC_IDENTITY_HASH_KEY: randomBytes(48).toString('base64'),
        KYC_PAYLOAD_KEYS: `metrics-1:${randomBytes(32).toString('base64')}`,
        KYC_PAYLOAD_KEY_ID: 'metrics-1',
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        DATABASE_URL: database.url,
        KYC_TASK_QUEUE: `metrics-worker-${randomUUID()}`,
        KYC_PROVIDERS: 'aws',
        AWS_ACCESS_KEY_ID: 'unused',
        AWS_SECRET_ACCESS_KEY: 'unused',
        KYC_SEARCH_ATTRIBUTES_SETUP: 'false',
        KYC_METRICS_PORT: String(metricsPort),
        KYC_TEMPORAL_METRICS_PORT: String(runtimePort),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    worker.stderr?.on('data', (chunk: Buffer) => {
      workerErrors = (workerErrors + chunk.toString()).slice(-4000);
    });
  });

  afterAll(async () => {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.kill('SIGTERM');
      await exited;
    }
    await database?.close();
  });

  it("serves the Temporal SDK's runtime metrics next to the process metrics", async () => {
    const exit = new Promise<number | null>((resolve) => worker.once('exit', resolve));
    let families = new Set<string>();
    let exited = false;
    void exit.then(() => {
      exited = true;
    });
    // A minute: on a loaded machine the worker's start (bundling its workflows) is slow.
    for (let attempt = 0; attempt < 300 && !exited && !families.has('temporal_num_pollers'); attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const text = await fetch(url).then(
        (response) => (response.ok ? response.text() : ''),
        () => '',
      );
      families = parsePrometheusText(text).families;
    }
    for (const name of ['temporal_num_pollers', 'temporal_worker_task_slots_available', 'temporal_request']) {
      expect(families, `${name} (worker stderr: ${workerErrors})`).toContain(name);
    }
    expect(families).toContain('process_cpu_seconds_total');
    // What a real worker serves is what the dashboard and alert tests take as the SDK's metrics.
    const served = [...families].filter((name) => name.startsWith('temporal_'));
    expect(served.filter((name) => !TEMPORAL_SDK_METRICS.includes(name))).toEqual([]);
  });
});
