/**
 * What every part of the benchmark runs on, all on loopback: PostgreSQL with a throwaway database migrated for this
 * run, a Temporal dev server, the KYC test harness (its stand-ins answering at once, the real HTTP doors receiving
 * Apify's webhook), and bench worker processes. Everything is torn down and the databases dropped on close.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { ProvidedContext } from 'vitest';
import type { Config } from '../src/config.ts';
import { kycSearchAttributes } from '../src/contract/search-attributes.ts';
import { failureConverterPath } from '../src/data-protection/data-converter.ts';
import { migrate } from '../src/runtime/migrate.ts';
import { createDatabase, dropDatabases, type PostgresServer, providePostgres } from '../src/runtime/postgres-server.ts';
import { type DevServer, startTemporalDevServer } from '../src/runtime/temporal-dev-server.ts';
import { type KycHarness, startKycHarness } from '../test/support/kyc-harness.ts';
import { connectDevServer } from '../test/support/temporal.ts';
import { WorkflowCallCounter } from './cost.ts';
import { programSeedDocuments, type SeedDocuments } from './flows.ts';
import type { BenchWorkerOptions, DriverMessage, WorkerMemoryReading, WorkerMessage } from './worker.ts';

export interface Rig {
  /**
   * Its database is the run's throwaway one; its doors keep uploads in a folder standing in for S3; its own worker
   * serves what its doors start (the cost part's verification).
   */
  harness: KycHarness;
  /** What every bench user uploads. */
  documents: SeedDocuments;
  env: TestWorkflowEnvironment;
  /** The queries and updates `env`'s client (the doors') sends. */
  workflowCalls: WorkflowCallCounter;
  devServer: DevServer;
  postgres: PostgresServer;
  /** A bench worker process on a task queue of its own. */
  startWorker(options?: {
    maxCachedWorkflows?: number;
    maxConcurrentWorkflowTaskExecutions?: number;
    config?: Config;
  }): Promise<BenchWorker>;
  close(): Promise<void>;
}

export type WorkerMemory = WorkerMemoryReading;

/** What sizes a bench worker process's memory: its Node flags and glibc's malloc arenas. */
export interface WorkerProcessSettings {
  nodeFlags: string[];
  /** Unset: glibc's default, 8 arenas per core. */
  mallocArenaMax?: number;
}

/** A bench worker process, seen from the driver. */
export interface BenchWorker {
  pid: number;
  taskQueue: string;
  process: WorkerProcessSettings;
  /** When the worker reported `workflowId`'s verification finished (its last activity returned), epoch ms. */
  verified(workflowId: string): Promise<number>;
  /** Memory after a full garbage collection. */
  memory(): Promise<WorkerMemory>;
  /** Statements the worker's activities have sent to PostgreSQL so far. */
  statements(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The harness reads the run's shared resources through vitest's `inject`, which reads the test worker's state. Outside
 * vitest the bench supplies that state itself, with what the test run's global setup would provide; the bench never
 * starts a time-skipping server.
 */
function provideHarnessContext(context: Omit<ProvidedContext, 'temporalTestServerPath'>): void {
  Object.assign(globalThis, { __vitest_worker__: { providedContext: context } });
}

export async function startRig(): Promise<Rig> {
  const runId = `kyc_bench_${Date.now().toString(36)}`;
  const postgres = await providePostgres({
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    dataDir: join(tmpdir(), 'kyc-bench-pgdata'),
  });
  const scratch = await mkdtemp(join(tmpdir(), `${runId}-`));
  const closers: Array<() => Promise<unknown>> = [
    () => rm(scratch, { recursive: true, force: true }),
    () => dropDatabases(postgres.adminUrl, runId),
    () => postgres.stop(),
  ];
  // Newest first: each closer is put in front of what it depends on.
  const close = async () => {
    for (const closer of closers.splice(0)) await closer();
  };
  try {
    const templateDatabase = `${runId}_template`;
    await migrate(await createDatabase(postgres.adminUrl, templateDatabase));
    const bundlePath = join(scratch, 'workflows.js');
    const bundle = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)),
      failureConverterPath,
      logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} },
    });
    await writeFile(bundlePath, bundle.code);
    const devServer = await startTemporalDevServer({ searchAttributes: kycSearchAttributes });
    closers.unshift(() => devServer.stop());

    provideHarnessContext({
      adminDatabaseUrl: postgres.adminUrl,
      templateDatabase,
      workflowBundlePath: bundlePath,
      temporalAddress: devServer.address,
    });
    const workflowCalls = new WorkflowCallCounter();
    const env = await connectDevServer([workflowCalls.interceptor]);
    closers.unshift(() => env.teardown());
    const harness = await startKycHarness({
      env,
      settings: { KYC_OBJECT_STORE: 'folder', KYC_DATA_DIR: join(scratch, 'data') },
    });
    closers.unshift(() => harness.close());
    // Instant stand-ins: the register run finishes, and its webhook leaves, as soon as it starts.
    harness.apify.finishAfterMs = 0;
    const documents = programSeedDocuments(harness);

    const workers: BenchWorker[] = [];
    // Stopping a worker that has stopped already is harmless.
    closers.unshift(() => Promise.all(workers.map((worker) => worker.stop())));
    return {
      harness,
      documents,
      env,
      workflowCalls,
      devServer,
      postgres,
      async startWorker(options = {}) {
        const worker = await spawnWorker({
          temporalAddress: devServer.address,
          taskQueue: `bench-${randomUUID()}`,
          bundlePath,
          databaseUrl: harness.db.url,
          config: harness.config,
          ...options,
        });
        workers.push(worker);
        return worker;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** What the production worker runs with: its task's NODE_OPTIONS (infra/lib/service-stack.ts) and the image's MALLOC_ARENA_MAX (Dockerfile). */
const PRODUCTION_WORKER_PROCESS: WorkerProcessSettings = {
  nodeFlags: ['--max-old-space-size=512', '--max-semi-space-size=1'],
  mallocArenaMax: 2,
};

/**
 * The production worker's settings, or others to compare: BENCH_WORKER_NODE_FLAGS (space-separated, in place of the
 * production flags) and BENCH_WORKER_MALLOC_ARENA_MAX (empty for glibc's default). Given to the bench worker alone, so
 * that the driver's own memory and speed stay as they are.
 */
export function workerProcessSettings(env: NodeJS.ProcessEnv = process.env): WorkerProcessSettings {
  const flags = env.BENCH_WORKER_NODE_FLAGS;
  const arenas = env.BENCH_WORKER_MALLOC_ARENA_MAX;
  const nodeFlags = flags === undefined ? PRODUCTION_WORKER_PROCESS.nodeFlags : flags.split(/\s+/).filter(Boolean);
  if (arenas === undefined) return { ...PRODUCTION_WORKER_PROCESS, nodeFlags };
  if (arenas === '') return { nodeFlags };
  const mallocArenaMax = Number(arenas);
  if (!Number.isInteger(mallocArenaMax) || mallocArenaMax < 1) {
    throw new Error(`BENCH_WORKER_MALLOC_ARENA_MAX must be a positive whole number, not ${arenas}`);
  }
  return { nodeFlags, mallocArenaMax };
}

async function spawnWorker(options: BenchWorkerOptions): Promise<BenchWorker> {
  const settings = workerProcessSettings();
  const { MALLOC_ARENA_MAX: _driverArenas, ...driverEnv } = process.env;
  const child = spawn(
    process.execPath,
    ['--expose-gc', ...settings.nodeFlags, fileURLToPath(new URL('./worker.ts', import.meta.url))],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: {
        ...driverEnv,
        ...(settings.mallocArenaMax === undefined ? {} : { MALLOC_ARENA_MAX: String(settings.mallocArenaMax) }),
        BENCH_WORKER: JSON.stringify(options),
      },
    },
  );
  const finished = new Map<string, number>();
  const waiting = new Map<string, (at: number) => void>();
  const answers = new Map<number, (message: WorkerMessage) => void>();
  let nextQuestion = 0;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the bench worker exited with code ${code} before it was ready`)));
    child.on('message', (message: WorkerMessage) => {
      if (message.type === 'ready') resolve();
      else if (message.type === 'verified') {
        finished.set(message.workflowId, message.at);
        waiting.get(message.workflowId)?.(message.at);
        waiting.delete(message.workflowId);
      } else answers.get(message.id)?.(message);
    });
  });
  await ready;

  function ask<T extends WorkerMessage>(question: (id: number) => DriverMessage): Promise<T> {
    const id = nextQuestion++;
    return new Promise((resolve) => {
      answers.set(id, (message) => {
        answers.delete(id);
        resolve(message as T);
      });
      send(child, question(id));
    });
  }

  return {
    pid: child.pid as number,
    taskQueue: options.taskQueue,
    process: settings,
    verified(workflowId) {
      const at = finished.get(workflowId);
      if (at !== undefined) return Promise.resolve(at);
      return new Promise((resolve) => waiting.set(workflowId, resolve));
    },
    async memory() {
      const {
        type: _type,
        id: _id,
        ...reading
      } = await ask<Extract<WorkerMessage, { type: 'memory' }>>((id) => ({
        type: 'memory',
        id,
      }));
      return reading;
    },
    async statements() {
      return (await ask<Extract<WorkerMessage, { type: 'statements' }>>((id) => ({ type: 'statements', id }))).count;
    },
    async stop() {
      if (child.exitCode === null) send(child, { type: 'stop' });
      await exited;
    },
  };
}

function send(child: ChildProcess, message: DriverMessage): void {
  child.send(message);
}
