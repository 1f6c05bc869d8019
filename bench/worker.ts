/**
 * The bench worker, in a process of its own so that its memory is the worker's alone. One worker runs KycWorkflow
 * with the real activities (PostgreSQL, and the stand-ins the driver started) and the orchestration floor, from one
 * bundle, with the service worker's settings and the encrypting data converter. It tells the driver when each
 * verification ends and answers its questions about memory and statements over IPC.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { activitySettingsFromConfig } from '../src/activities/deps.ts';
import { createActivities } from '../src/activities/index.ts';
import { type Config, loadConfig } from '../src/config.ts';
import { createDataConverter } from '../src/data-protection/data-converter.ts';
import { createSql } from '../src/db/pool.ts';
import { createLogger } from '../src/logger.ts';
import { createAwsOutsideWorld } from '../src/providers.ts';
import { floorActivities, LAST_ACTIVITIES } from './floor-activities.ts';
import { countStatements } from './postgres.ts';

export interface BenchWorkerOptions {
  temporalAddress: string;
  taskQueue: string;
  bundlePath: string;
  databaseUrl: string;
  /**
   * The driver's configuration, through JSON: its payload keys do not survive, and this worker uses the local keys the
   * driver's client (test/support/temporal.ts) encrypts with.
   */
  config: Config;
  /** Unset: KYC_WORKER_MAX_CACHED_WORKFLOWS, as the service's worker runs. */
  maxCachedWorkflows?: number;
}

export type DriverMessage = { type: 'memory'; id: number } | { type: 'statements'; id: number } | { type: 'stop' };

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'verified'; workflowId: string; at: number }
  | { type: 'memory'; id: number; rss: number; heapUsed: number; external: number }
  | { type: 'statements'; id: number; count: number };

const send = (message: WorkerMessage) => process.send?.(message);

const options = JSON.parse(process.env.BENCH_WORKER ?? '{}') as BenchWorkerOptions;
const { config } = options;
const logger = createLogger({ level: 'silent' });
const sql = createSql(options.databaseUrl, { max: config.DATABASE_POOL_SIZE });
const statements = countStatements(sql);

const worker = await Worker.create({
  connection: await NativeConnection.connect({ address: options.temporalAddress }),
  taskQueue: options.taskQueue,
  workflowBundle: { codePath: options.bundlePath },
  // Not test/support's converter: importing it would load vitest and the test server into the measured process.
  dataConverter: createDataConverter(loadConfig({}).payloadKeys),
  activities: {
    ...createActivities({
      sql,
      logger,
      settings: activitySettingsFromConfig(config),
      ...createAwsOutsideWorld(config, logger, sql),
    }),
    ...floorActivities,
  },
  interceptors: {
    activity: [
      (context) => ({
        inbound: {
          async execute(input, next) {
            const result = await next(input);
            const workflowId = context.info.workflowExecution?.workflowId;
            if (workflowId && LAST_ACTIVITIES.has(context.info.activityType)) {
              send({ type: 'verified', workflowId, at: Date.now() });
            }
            return result;
          },
        },
      }),
    ],
  },
  maxCachedWorkflows: options.maxCachedWorkflows ?? config.KYC_WORKER_MAX_CACHED_WORKFLOWS,
});

process.on('message', (message: DriverMessage) => {
  if (message.type === 'memory') {
    // Collected first, so that the heap figure is what the worker keeps, not garbage waiting for the collector.
    globalThis.gc?.();
    const { rss, heapUsed, external } = process.memoryUsage();
    send({ type: 'memory', id: message.id, rss, heapUsed, external });
  } else if (message.type === 'statements') {
    send({ type: 'statements', id: message.id, count: statements() });
  } else {
    worker.shutdown();
  }
});

const running = worker.run();
send({ type: 'ready' });
await running;
await sql.end({ timeout: 5 });
process.disconnect?.();
