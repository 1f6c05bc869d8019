/**
 * Part 3, idle workflows: KycWorkflows verified until they wait idle for a re-upload or an expiry, on a worker with a
 * small sticky cache, with the worker's memory read (after a full collection) as they accumulate. Flat memory past
 * the cache is what shows that an idle workflow costs the worker nothing once evicted; the Temporal server keeps them.
 */
import { verifyCount } from '../drive.ts';
import { startKycVerification, userPool } from '../flows.ts';
import { residentBytes } from '../machine.ts';
import type { Rig, WorkerMemory } from '../rig.ts';
import { count, mib, perSecond, sleep } from '../stats.ts';
import type { PartResult, Row } from '../table.ts';

const SETTINGS = {
  full: { workflows: 10_000, cachedWorkflows: 100, checkpoints: 10 },
  quick: { workflows: 60, cachedWorkflows: 20, checkpoints: 3 },
};
/** The 100,000 case runs when the measured rate says it would take no longer than this. */
const LARGE_CASE = { workflows: 100_000, withinMs: 10 * 60_000 };
const CONCURRENCY = 32;

interface Checkpoint {
  idleWorkflows: number;
  worker: WorkerMemory;
  temporalRss: number;
}

export async function idlePart(rig: Rig, quick: boolean): Promise<PartResult> {
  const settings = quick ? SETTINGS.quick : SETTINGS.full;
  const worker = await rig.startWorker({ maxCachedWorkflows: settings.cachedWorkflows });
  try {
    const client = rig.env.client;
    const nextUser = userPool(rig.harness.db.sql);
    const temporalPid = rig.devServer.process.pid as number;
    const checkpoint = async (idleWorkflows: number): Promise<Checkpoint> => ({
      idleWorkflows,
      worker: await worker.memory(),
      temporalRss: residentBytes(temporalPid),
    });
    const launch = async () => startKycVerification(client, worker.taskQueue, rig.documents, await nextUser());

    // Everything the worker loads once (bundle, SDK clients, pool) is loaded before the first reading.
    const warmUp = await verifyCount(worker, launch, { concurrency: CONCURRENCY, total: CONCURRENCY });
    await sleep(1_000);
    const before = await checkpoint(warmUp.verified);
    let verified = 0;
    let unfinished = 0;

    const checkpoints: Checkpoint[] = [];
    const started = Date.now();
    const driveTo = async (target: number) => {
      const step = target / settings.checkpoints;
      while (verified + unfinished < target) {
        const batch = Math.min(step, target - verified - unfinished);
        const result = await verifyCount(worker, launch, { concurrency: CONCURRENCY, total: batch });
        verified += result.verified;
        unfinished += result.unfinished;
        checkpoints.push(await checkpoint(warmUp.verified + verified));
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
    const figures = {
      settings,
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
