/**
 * The faults of a chaos run. Process faults follow the plan one after another: SIGKILL the worker or the API/bridge
 * process and start it again, restart PostgreSQL, stop and restart Temporal. Stand-in faults come at random all
 * along: AWS throttling, 5xx and slow answers; Apify webhooks lost, sent twice or replayed late; the product's
 * webhook answering 503; the mail relay refusing with 451. A few poison messages, one per queue, show what a DLQ
 * holds and why.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { seededRng } from '../src/demo/synthetic-people.ts';
import type { WebhookDelivery } from '../test/stand-ins/apify.ts';
import type { LocalQueue } from '../test/support/aws-local.ts';
import { BUCKET } from '../test/support/scenarios.ts';
import type { ChaosEnvironment } from './environment.ts';
import type { FaultPlan } from './plan.ts';
import type { ServiceProcess } from './processes.ts';
import { sleep } from './timing.ts';

export interface FaultEvent {
  /** Milliseconds after the run's start. */
  at: number;
  what: string;
}

export interface StandInFaultTally {
  productWebhook503: number;
  smtp451: number;
  /** Late repeats of webhooks Apify had already sent or lost, as the receiver answered them. */
  staleWebhookReplays: WebhookDelivery[];
  apifyModeChanges: number;
}

/** The longest a process gets to become ready again before a fault; it counts as a failure of the run after that. */
const READY_WAIT_MS = 180_000;

async function whenReady(process: ServiceProcess): Promise<void> {
  const deadline = Date.now() + READY_WAIT_MS;
  while (!process.isReady()) {
    if (Date.now() > deadline) throw new Error(`${process.name} was not ready for ${READY_WAIT_MS / 1000}s`);
    await sleep(200);
  }
}

/** Carries out the plan's process faults at their moments (later, if an earlier fault is still being recovered). */
export async function conductProcessFaults(options: {
  plan: FaultPlan;
  seed: number;
  startedAt: number;
  env: ChaosEnvironment;
  worker: ServiceProcess;
  api: ServiceProcess;
  timeline: FaultEvent[];
}): Promise<void> {
  const { plan, env, worker, api, timeline, startedAt } = options;
  const random = seededRng(options.seed ^ 0x5eed);
  const note = (what: string) => timeline.push({ at: Date.now() - startedAt, what });
  const killAndRestart = async (process: ServiceProcess) => {
    await whenReady(process);
    note(`SIGKILL ${process.name}`);
    await process.kill();
    // Down for a moment, as a supervisor (systemd, ECS) would leave it before starting a new one.
    await sleep(500 + Math.floor(random() * 2_500));
    await process.start();
    note(`${process.name} ready again`);
  };
  const events: Array<{ at: number; act: () => Promise<void> }> = [
    ...plan.workerKills.map((at) => ({ at, act: () => killAndRestart(worker) })),
    ...plan.apiKills.map((at) => ({ at, act: () => killAndRestart(api) })),
    {
      at: plan.postgresRestart,
      act: async () => {
        note('PostgreSQL stopping (fast shutdown)');
        await env.restartPostgres(3_000);
        note('PostgreSQL serving again');
      },
    },
    {
      at: plan.temporalRestart,
      act: async () => {
        note('Temporal dev server stopping');
        await env.restartTemporal(2_000);
        note('Temporal dev server serving again (same SQLite file)');
      },
    },
  ].sort((a, b) => a.at - b.at);
  for (const event of events) {
    await sleep(Math.max(0, startedAt + event.at - Date.now()));
    await event.act();
  }
}

/**
 * Turns the stand-ins' faults on and changes them every few seconds until `stop` says so; then turns them off so the
 * run can finish cleanly.
 */
export async function runStandInFaults(options: {
  env: ChaosEnvironment;
  seed: number;
  stop: () => boolean;
}): Promise<StandInFaultTally> {
  const { env, seed, stop } = options;
  const random = seededRng(seed ^ 0xfa17);
  const tally: StandInFaultTally = { productWebhook503: 0, smtp451: 0, staleWebhookReplays: [], apifyModeChanges: 0 };
  env.aws.setChaos({ throttleRate: 0.06, serverErrorRate: 0.03, maxDelayMs: 1_500, seed });
  const replays: Promise<void>[] = [];
  while (!stop()) {
    const roll = random();
    const mode = roll < 0.7 ? 'deliver' : roll < 0.85 ? 'drop' : 'duplicate';
    if (mode !== env.apify.webhookMode) tally.apifyModeChanges += 1;
    env.apify.webhookMode = mode;
    if (random() < 0.25) {
      const count = 1 + Math.floor(random() * 3);
      env.product.failNext(count, 503);
      tally.productWebhook503 += count;
    }
    if (random() < 0.15) {
      env.smtp.refuseNext(1);
      tally.smtp451 += 1;
    }
    const finished = env.apify.runs.filter((run) => run.finishedAt !== null);
    if (finished.length > 0 && random() < 0.3) {
      // A late repeat of a webhook Apify already sent (or lost): it must be acknowledged and change nothing.
      const run = finished[Math.floor(random() * finished.length)] as (typeof finished)[number];
      replays.push(
        env.apify.deliverStaleWebhook(run.id, env.apifyWebhookUrl).then((delivery) => {
          tally.staleWebhookReplays.push(delivery);
        }),
      );
    }
    await sleep(2_000 + Math.floor(random() * 4_000));
  }
  env.aws.setChaos(null);
  env.apify.webhookMode = 'deliver';
  await Promise.all(replays);
  return tally;
}

/** One message per queue that no consumer can ever process, with the refusal code its consumer must log. */
export const POISON_MESSAGES: Record<LocalQueue, { body: string; expectedCode: string }> = {
  's3-events': {
    body: JSON.stringify({
      Records: [
        {
          eventSource: 'aws:s3',
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: `not-${BUCKET}` }, object: { key: 'kyc-raw/1/passport.jpg', size: 1 } },
        },
      ],
    }),
    expectedCode: 'FOREIGN_BUCKET',
  },
  'face-match': { body: JSON.stringify({ user_id: 999_999_999 }), expectedCode: 'UNKNOWN_USER' },
  'reg-request': {
    body: JSON.stringify({ user_id: 999_999_998, reg_type: 'GMC', reg_no: '1234567' }),
    expectedCode: 'UNKNOWN_USER',
  },
  'reg-check-ingest': { body: JSON.stringify({ eventType: 'ACTOR.RUN.SUCCEEDED' }), expectedCode: 'INVALID_PAYLOAD' },
  decision: { body: 'not json', expectedCode: 'NOT_JSON' },
};

export async function sendPoisonMessages(env: ChaosEnvironment): Promise<void> {
  for (const [queue, { body }] of Object.entries(POISON_MESSAGES) as [LocalQueue, { body: string }][]) {
    await env.localAws.sqs.send(new SendMessageCommand({ QueueUrl: env.localAws.queueUrls[queue], MessageBody: body }));
  }
}
