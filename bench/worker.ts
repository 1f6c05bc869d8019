/**
 * The bench worker, in a process of its own so that its memory is the worker's alone. One worker runs KycWorkflow
 * with the real activities (PostgreSQL, and the stand-ins the driver started) and the orchestration floor, from one
 * bundle, with the service worker's settings and the encrypting data converter. It tells the driver when each
 * verification ends and answers its questions about memory and statements over IPC.
 */
import { readFileSync } from 'node:fs';
import type { Worker as Thread } from 'node:worker_threads';
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
  /** Unset: the SDK's default, as the service's worker runs. */
  maxConcurrentWorkflowTaskExecutions?: number;
}

/** What the worker process's resident memory is made of, each figure in bytes. */
export interface WorkerMemoryReading {
  rss: number;
  /** The main thread's V8 heap (activities, SDK, pool) after a full collection: used, and committed. */
  heapUsed: number;
  heapTotal: number;
  /** Memory outside the main thread's heap that its objects hold (buffers). */
  external: number;
  /**
   * The V8 heaps of the workflow sandbox's threads (one with the SDK's default reused context), committed and used;
   * not collected first: the bench cannot reach into the sandbox's isolate.
   */
  workflowHeapTotal: number;
  workflowHeapUsed: number;
  /** Resident pages that back no file (heaps, malloc arenas, thread stacks), from /proc/self/smaps_rollup. */
  anonymous: number;
  /**
   * CPU time the whole process has used so far (every thread, user and system), in microseconds: what a setting costs
   * in work, which a shared machine's load does not distort the way it distorts the rate.
   */
  cpuMicros: number;
}

export type DriverMessage = { type: 'memory'; id: number } | { type: 'statements'; id: number } | { type: 'stop' };

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'verified'; workflowId: string; at: number }
  | ({ type: 'memory'; id: number } & WorkerMemoryReading)
  | { type: 'statements'; id: number; count: number };

const send = (message: WorkerMessage) => process.send?.(message);

const options = JSON.parse(process.env.BENCH_WORKER ?? '{}') as BenchWorkerOptions;
const { config } = options;
const logger = createLogger({ level: 'silent' });
const sql = createSql(options.databaseUrl, { max: config.DATABASE_POOL_SIZE });
const statements = countStatements(sql);
// The SDK runs workflows in worker threads of its own; Node announces every thread this process starts.
const workflowThreads = new Set<Thread>();
process.on('worker', (thread) => {
  workflowThreads.add(thread);
  thread.once('exit', () => workflowThreads.delete(thread));
});

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
  maxConcurrentWorkflowTaskExecutions: options.maxConcurrentWorkflowTaskExecutions,
});

async function readMemory(): Promise<WorkerMemoryReading> {
  // Collected first, so that the heap figure is what the worker keeps, not garbage waiting for the collector.
  globalThis.gc?.();
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
  const cpu = process.cpuUsage();
  const threadHeaps = await Promise.all([...workflowThreads].map((thread) => thread.getHeapStatistics()));
  const anonymous = /^Anonymous:\s+(\d+) kB/m.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'));
  return {
    rss,
    heapUsed,
    heapTotal,
    external,
    workflowHeapTotal: threadHeaps.reduce((total, heap) => total + heap.total_heap_size, 0),
    workflowHeapUsed: threadHeaps.reduce((total, heap) => total + heap.used_heap_size, 0),
    anonymous: Number(anonymous?.[1] ?? 0) * 1024,
    cpuMicros: cpu.user + cpu.system,
  };
}

process.on('message', (message: DriverMessage) => {
  if (message.type === 'memory') {
    void readMemory().then((reading) => send({ type: 'memory', id: message.id, ...reading }));
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
