/**
 * Part 3, idle workflows: KycWorkflows verified until they wait idle for a re-upload or an expiry, on a worker with a
 * small sticky cache, with the worker's memory read (after a full collection) as they accumulate. Flat memory past
 * the cache is what shows that an idle workflow costs the worker nothing once evicted; the Temporal server keeps them.
 *
 * To compare memory settings at one size: BENCH_IDLE_WORKFLOWS, BENCH_IDLE_CACHED_WORKFLOWS and BENCH_IDLE_CHECKPOINTS
 * replace the full run's figures; BENCH_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS sets the worker's workflow task slots; the
 * worker process's flags and malloc arenas are the rig's (BENCH_WORKER_NODE_FLAGS, BENCH_WORKER_MALLOC_ARENA_MAX).
 */
import { verifyCount } from '../drive.ts';
import { startKycVerification, userPool } from '../flows.ts';
import { residentBytes } from '../machine.ts';
import type { Rig, WorkerMemory } from '../rig.ts';
import { count, mib, ms, perSecond, sleep } from '../stats.ts';
import type { PartResult, Row } from '../table.ts';

/**
 * The full run's cache is the service's default (KYC_WORKER_MAX_CACHED_WORKFLOWS). Both stay above the 32 in flight:
 * a cache that thrashes evicts workflows whose local activities are still running, which Temporal's core logs as an
 * error of its own (README, "Configuration") and which is not what this part measures.
 */
const SETTINGS = {
  full: { workflows: 10_000, cachedWorkflows: 50, checkpoints: 10 },
  quick: { workflows: 60, cachedWorkflows: 40, checkpoints: 3 },
};
/** The 100,000 case runs when the measured rate says it would take no longer than this. */
const LARGE_CASE = { workflows: 100_000, withinMs: 10 * 60_000 };
const CONCURRENCY = 32;

interface Checkpoint {
  idleWorkflows: number;
  /** Since the measured run began. */
  elapsedMs: number;
  worker: WorkerMemory;
  temporalRss: number;
}

function wholeNumberFromEnv(name: string): number | undefined {
  const value = process.env[name];
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`${name} must be a positive whole number, not ${value}`);
  return parsed;
}

function chosenSettings(quick: boolean): (typeof SETTINGS)['full'] {
  const base = quick ? SETTINGS.quick : SETTINGS.full;
  return {
    workflows: wholeNumberFromEnv('BENCH_IDLE_WORKFLOWS') ?? base.workflows,
    cachedWorkflows: wholeNumberFromEnv('BENCH_IDLE_CACHED_WORKFLOWS') ?? base.cachedWorkflows,
    checkpoints: wholeNumberFromEnv('BENCH_IDLE_CHECKPOINTS') ?? base.checkpoints,
  };
}

export async function idlePart(rig: Rig, quick: boolean): Promise<PartResult> {
  const settings = chosenSettings(quick);
  const maxConcurrentWorkflowTaskExecutions = wholeNumberFromEnv('BENCH_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS');
  const worker = await rig.startWorker({
    maxCachedWorkflows: settings.cachedWorkflows,
    maxConcurrentWorkflowTaskExecutions,
  });
  try {
    const client = rig.env.client;
    const nextUser = userPool(rig.harness.db.sql);
    const temporalPid = rig.devServer.process.pid as number;
    let started = Date.now();
    const checkpoint = async (idleWorkflows: number): Promise<Checkpoint> => ({
      idleWorkflows,
      elapsedMs: Date.now() - started,
      worker: await worker.memory(),
      temporalRss: residentBytes(temporalPid),
    });
    const launch = async () => startKycVerification(client, worker.taskQueue, rig.documents, await nextUser());

    // Everything the worker loads once (bundle, SDK clients, pool) is loaded before the first reading.
    const warmUp = await verifyCount(worker, launch, { concurrency: CONCURRENCY, total: CONCURRENCY });
    await sleep(1_000);
    started = Date.now();
    const before = await checkpoint(warmUp.verified);
    let verified = 0;
    let unfinished = 0;

    const checkpoints: Checkpoint[] = [];
    const driveTo = async (target: number) => {
      const step = Math.ceil(target / settings.checkpoints);
      while (verified + unfinished < target) {
        const batch = Math.min(step, target - verified - unfinished);
        const result = await verifyCount(worker, launch, { concurrency: CONCURRENCY, total: batch });
        verified += result.verified;
        unfinished += result.unfinished;
        const reached = await checkpoint(warmUp.verified + verified);
        checkpoints.push(reached);
        // A long run shows its slope as it goes, and keeps it if it is stopped.
        process.stderr.write(`bench: idle checkpoint ${JSON.stringify(reached)}\n`);
      }
    };
    await driveTo(settings.workflows);
    const elapsedMs = Date.now() - started;
    const rate = verified / (elapsedMs / 1000);

    const projectedMs = (LARGE_CASE.workflows / rate) * 1000;
    const largeCaseRun = !quick && projectedMs <= LARGE_CASE.withinMs;
    if (largeCaseRun) await driveTo(LARGE_CASE.workflows);
    await sleep(2_000);
    const after = await checkpoint(warmUp.verified + verified);

    // From halfway on, the cache is long full and the worker's heaps have grown to their working size: every further
    // workflow ends up evicted, and what memory grows by from there is what an evicted idle workflow costs.
    const evictedFrom =
      checkpoints.find(
        (point) => point.idleWorkflows >= Math.max(2 * settings.cachedWorkflows, settings.workflows / 2),
      ) ?? before;
    const growthPerEvicted =
      (after.worker.rss - evictedFrom.worker.rss) / Math.max(after.idleWorkflows - evictedFrom.idleWorkflows, 1);
    const heapPerEvicted =
      (after.worker.heapUsed - evictedFrom.worker.heapUsed) /
      Math.max(after.idleWorkflows - evictedFrom.idleWorkflows, 1);
    const temporalPerWorkflow =
      (after.temporalRss - before.temporalRss) / Math.max(after.idleWorkflows - before.idleWorkflows, 1);
    const workerCpuMsPerVerification =
      (after.worker.cpuMicros - before.worker.cpuMicros) / 1000 / Math.max(verified, 1);
    const figures = {
      settings,
      workerProcess: worker.process,
      maxConcurrentWorkflowTaskExecutions: maxConcurrentWorkflowTaskExecutions ?? 'SDK default',
      concurrency: CONCURRENCY,
      verified,
      unfinished: unfinished + warmUp.unfinished,
      elapsedMs,
      rate,
      largeCase: { run: largeCaseRun, projectedMs },
      before,
      after,
      checkpoints,
      evictedFrom: evictedFrom.idleWorkflows,
      growthPerEvictedBytes: growthPerEvicted,
      heapPerEvictedBytes: heapPerEvicted,
      temporalRssPerWorkflowBytes: temporalPerWorkflow,
      workerCpuMsPerVerification,
    };
    return { part: 'idle', rows: rows(figures), figures };
  } finally {
    await worker.stop();
  }
}

function rows(figures: {
  settings: { workflows: number; cachedWorkflows: number };
  verified: number;
  unfinished: number;
  rate: number;
  elapsedMs: number;
  largeCase: { run: boolean; projectedMs: number };
  before: Checkpoint;
  after: Checkpoint;
  evictedFrom: number;
  growthPerEvictedBytes: number;
  heapPerEvictedBytes: number;
  temporalRssPerWorkflowBytes: number;
  workerCpuMsPerVerification: number;
}): Row[] {
  const { before, after, settings } = figures;
  const result: Row[] = [
    {
      figure: `KycWorkflows verified to their idle wait (worker cache ${settings.cachedWorkflows}, ${CONCURRENCY} in flight), and the rate they were started and decided`,
      value: `${count(figures.verified)} in ${(figures.elapsedMs / 1000).toFixed(0)} s: ${perSecond(figures.rate)}${figures.unfinished ? ` (${figures.unfinished} unfinished)` : ''}`,
    },
    {
      figure: 'worker RSS before → after (main-thread heap after a full collection; workflows run in a worker thread)',
      value: `${mib(before.worker.rss)} → ${mib(after.worker.rss)} (${mib(before.worker.heapUsed)} → ${mib(after.worker.heapUsed)})`,
    },
    {
      figure:
        'worker CPU time per verification (all its threads; less distorted by other load on the machine than the rate)',
      value: ms(figures.workerCpuMsPerVerification),
    },
    {
      figure: 'worker RSS after, made of: main-thread heap committed, workflow-thread heap committed (used), anonymous',
      value: `${mib(after.worker.heapTotal)}, ${mib(after.worker.workflowHeapTotal)} (${mib(after.worker.workflowHeapUsed)}), ${mib(after.worker.anonymous)}`,
    },
    {
      figure: `worker memory per further idle workflow from ${count(figures.evictedFrom)} on (all but the cached ${settings.cachedWorkflows} evicted): RSS, main-thread heap`,
      value: `${count(figures.growthPerEvictedBytes)} bytes, ${count(figures.heapPerEvictedBytes)} bytes`,
    },
    {
      figure: 'Temporal dev server RSS before → after, per idle workflow (its in-memory SQLite holds them)',
      value: `${mib(before.temporalRss)} → ${mib(after.temporalRss)}, ${count(figures.temporalRssPerWorkflowBytes)} bytes`,
    },
  ];
  if (!figures.largeCase.run) {
    result.push({
      figure: '100,000 idle workflows: not run (would take longer than 10 minutes at this rate); extrapolated',
      value: `${(figures.largeCase.projectedMs / 60_000).toFixed(0)} min to start; worker RSS ≈ ${mib(after.worker.rss + figures.growthPerEvictedBytes * 90_000)}; dev server +${mib(figures.temporalRssPerWorkflowBytes * 100_000)}`,
    });
  }
  return result;
}
