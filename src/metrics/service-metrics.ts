/**
 * The service's own metrics, computed when Prometheus scrapes: from PostgreSQL (decisions, latencies, reviews,
 * the notification outbox, the last expiry pass), from Temporal (NEEDS_ATTENTION cases by a visibility count, the
 * task-queue backlog) and from SQS (dead-letter queue depth). Computed at scrape time, every process reports the
 * same truth, whichever process did the work — there is nothing to lose on a restart and nothing to add up.
 */
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Client } from '@temporalio/client';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Sql } from '../db/pool.ts';
import type { Logger } from '../logger.ts';

/** Latency quantiles are taken over the decisions and register checks of this window. */
export const LATENCY_WINDOW_SECONDS = 3600;
const QUANTILES = [0.5, 0.95, 0.99] as const;

export interface ServiceMetricsDeps {
  sql: Sql;
  temporal: { client: Client; namespace: string; taskQueue: string };
  /** Dead-letter queues by name, with the client that reads their depth. */
  deadLetterQueues?: { sqs: SQSClient; urls: Record<string, string> };
  logger: Logger;
}

/** The metric names this module registers; the dashboard and alert tests check against them. */
export const SERVICE_METRIC_NAMES = [
  'kyc_decisions',
  'kyc_upload_to_decision_seconds',
  'kyc_register_latency_seconds',
  'kyc_reviews_pending',
  'kyc_review_oldest_age_seconds',
  'kyc_needs_attention_cases',
  'kyc_dlq_messages',
  'kyc_notifications_pending',
  'kyc_notification_oldest_pending_age_seconds',
  'kyc_expiry_last_pass_reminders',
  'kyc_expiry_last_pass_timestamp_seconds',
  'kyc_task_queue_backlog',
  'kyc_metrics_collect_errors_total',
] as const;

export function createServiceMetrics(deps: ServiceMetricsDeps): Registry {
  const { sql, temporal, deadLetterQueues, logger } = deps;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const collectErrors = new Counter({
    name: 'kyc_metrics_collect_errors_total',
    help: 'Scrapes in which a metric could not be computed (its source did not answer), by metric',
    labelNames: ['metric'],
    registers: [registry],
  });
  /** A gauge whose value is computed at scrape time; a failing source is counted and leaves the gauge empty. */
  const computedGauge = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    compute: (gauge: Gauge<L>) => Promise<void>,
  ) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset();
        try {
          await compute(this);
        } catch (error) {
          collectErrors.inc({ metric: name });
          logger.warn({ metric: name, err: error }, 'metric not computed');
        }
      },
    });

  computedGauge(
    'kyc_decisions',
    'Decisions recorded, by decision, reason and source (AUTOMATIC or CS); a decision with several reasons counts once per reason',
    ['decision', 'reason', 'source'],
    async (gauge) => {
      const rows = await sql<{ decision: string; reason: string; source: string; count: number }[]>`
        select decision, coalesce(reason, 'NONE') as reason, source, count(*)::int as count
        from kyc_decisions left join lateral unnest(reasons) as reason on true
        group by 1, 2, 3`;
      for (const row of rows) gauge.set({ decision: row.decision, reason: row.reason, source: row.source }, row.count);
    },
  );

  computedGauge(
    'kyc_upload_to_decision_seconds',
    `Automatic decisions of the last ${LATENCY_WINDOW_SECONDS} s: seconds from the last upload before the decision to the decision, by quantile`,
    ['quantile'],
    async (gauge) => {
      const [row] = await sql<{ p50: number | null; p95: number | null; p99: number | null }[]>`
        with latencies as (
          select extract(epoch from d.decided_at - greatest(
            (select max(created_at) from id_documents i where i.user_id = d.user_id and i.created_at <= d.decided_at),
            (select max(created_at) from selfies s where s.user_id = d.user_id and s.created_at <= d.decided_at)
          )) as seconds
          from kyc_decisions d
          where d.source = 'AUTOMATIC' and d.decided_at > now() - make_interval(secs => ${LATENCY_WINDOW_SECONDS})
        )
        select percentile_cont(0.5) within group (order by seconds) as p50,
               percentile_cont(0.95) within group (order by seconds) as p95,
               percentile_cont(0.99) within group (order by seconds) as p99
        from latencies where seconds is not null`;
      setQuantiles(gauge, row, {});
    },
  );

  computedGauge(
    'kyc_register_latency_seconds',
    `Register checks of the last ${LATENCY_WINDOW_SECONDS} s: seconds from starting the register's Apify run to the recorded check, by register and quantile`,
    ['register', 'quantile'],
    async (gauge) => {
      const rows = await sql<{ register: string; p50: number; p95: number; p99: number }[]>`
        select r.reg_type::text as register,
               percentile_cont(0.5) within group (order by extract(epoch from c.checked_at - r.started_at)) as p50,
               percentile_cont(0.95) within group (order by extract(epoch from c.checked_at - r.started_at)) as p95,
               percentile_cont(0.99) within group (order by extract(epoch from c.checked_at - r.started_at)) as p99
        from register_runs r join reg_checks c on c.cycle_id = r.cycle_id and c.apify_run_id = r.run_id
        where c.checked_at > now() - make_interval(secs => ${LATENCY_WINDOW_SECONDS})
        group by 1`;
      for (const row of rows) setQuantiles(gauge, row, { register: row.register });
    },
  );

  const pendingReviews = () => sql<{ count: number; oldest: number | null }[]>`
    with latest as (
      select distinct on (user_id) decision, decided_at from kyc_decisions order by user_id, id desc
    )
    select count(*)::int as count, extract(epoch from now() - min(decided_at))::float8 as oldest
    from latest where decision = 'MANUAL_REVIEW'`;
  computedGauge(
    'kyc_reviews_pending',
    'Cases whose latest decision is MANUAL_REVIEW, waiting for CS',
    [],
    async (gauge) => {
      const [row] = await pendingReviews();
      gauge.set(row?.count ?? 0);
    },
  );
  computedGauge(
    'kyc_review_oldest_age_seconds',
    'Age of the oldest case waiting for a CS review (0 when none waits)',
    [],
    async (gauge) => {
      const [row] = await pendingReviews();
      gauge.set(row?.oldest ?? 0);
    },
  );

  computedGauge(
    'kyc_needs_attention_cases',
    'Workflows whose KycStage is NEEDS_ATTENTION (a step gave up and waits for ops), from Temporal visibility',
    [],
    async (gauge) => {
      const { count } = await temporal.client.workflow.count('KycStage = "NEEDS_ATTENTION"');
      gauge.set(count);
    },
  );

  if (deadLetterQueues) {
    computedGauge(
      'kyc_dlq_messages',
      'Messages in each dead-letter queue (SQS ApproximateNumberOfMessages)',
      ['queue'],
      async (gauge) => {
        await Promise.all(
          Object.entries(deadLetterQueues.urls).map(async ([queue, url]) => {
            const { Attributes } = await deadLetterQueues.sqs.send(
              new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
            );
            gauge.set({ queue }, Number(Attributes?.ApproximateNumberOfMessages ?? 0));
          }),
        );
      },
    );
  }

  const pendingNotifications = () => sql<{ channel: string; count: number; oldest: number }[]>`
    select channel, count(*)::int as count, extract(epoch from now() - min(created_at))::float8 as oldest
    from notifications where sent_at is null group by channel`;
  computedGauge(
    'kyc_notifications_pending',
    'Notifications in the outbox not yet sent, by channel',
    ['channel'],
    async (gauge) => {
      for (const row of await pendingNotifications()) gauge.set({ channel: row.channel }, row.count);
    },
  );
  computedGauge(
    'kyc_notification_oldest_pending_age_seconds',
    'Age of the oldest unsent notification, by channel',
    ['channel'],
    async (gauge) => {
      for (const row of await pendingNotifications()) gauge.set({ channel: row.channel }, row.oldest);
    },
  );

  const lastExpiryPass = () => sql<{ thresholdDays: number; count: number; recordedAt: number }[]>`
    with last_pass as (select pass_id from expiry_reminders order by recorded_at desc, id desc limit 1)
    select threshold_days as "thresholdDays", count(*)::int as count,
           extract(epoch from max(recorded_at))::float8 as "recordedAt"
    from expiry_reminders where pass_id = (select pass_id from last_pass) group by threshold_days`;
  computedGauge(
    'kyc_expiry_last_pass_reminders',
    'Reminders recorded by the most recent expiry pass, by threshold in days (0 = the document expired)',
    ['threshold_days'],
    async (gauge) => {
      for (const row of await lastExpiryPass()) gauge.set({ threshold_days: String(row.thresholdDays) }, row.count);
    },
  );
  computedGauge(
    'kyc_expiry_last_pass_timestamp_seconds',
    'When the most recent expiry pass recorded its last reminder (Unix time; absent before the first pass)',
    [],
    async (gauge) => {
      const rows = await lastExpiryPass();
      if (rows.length > 0) gauge.set(Math.max(...rows.map((row) => row.recordedAt)));
    },
  );

  computedGauge(
    'kyc_task_queue_backlog',
    "Tasks waiting on the service's task queue, by type (workflow, activity): Temporal's approximate backlog count",
    ['task_queue', 'type'],
    async (gauge) => {
      const backlog = await taskQueueBacklog(temporal);
      for (const [type, count] of Object.entries(backlog)) gauge.set({ task_queue: temporal.taskQueue, type }, count);
    },
  );

  return registry;
}

/** Temporal's approximate backlog of the task queue, per task type (DescribeTaskQueue with stats). */
export async function taskQueueBacklog(temporal: ServiceMetricsDeps['temporal']) {
  const backlogOf = async (taskQueueType: 1 | 2) => {
    const response = await temporal.client.workflowService.describeTaskQueue({
      namespace: temporal.namespace,
      taskQueue: { name: temporal.taskQueue },
      taskQueueType,
      reportStats: true,
    });
    return Number(response.stats?.approximateBacklogCount ?? 0);
  };
  const [workflow, activity] = await Promise.all([backlogOf(1), backlogOf(2)]);
  return { workflow, activity };
}

function setQuantiles<L extends string>(
  gauge: Gauge<L>,
  row: { p50: number | null; p95: number | null; p99: number | null } | undefined,
  labels: Partial<Record<L, string>>,
) {
  if (!row) return;
  for (const quantile of QUANTILES) {
    const value = row[`p${Math.round(quantile * 100)}` as 'p50' | 'p95' | 'p99'];
    if (value !== null) gauge.set({ ...labels, quantile: String(quantile) } as Record<L, string>, Number(value));
  }
}
