/**
 * Part 1, the orchestration floor: KycWorkflow with instant stand-ins against the bare workflow of the same shape, on
 * one worker, alternating round by round. Throughput at saturation (closed loop) with the CPU each process spends per
 * verification, end-to-end latency at 5/s and 20/s (open loop), and where the KYC side's time goes. A third side, the
 * floor publishing search attributes as KycWorkflow does, measures what publishing them costs.
 */
import { createSql } from '../../src/db/pool.ts';
import { closedLoop, type Finished, type Launch, openLoop } from '../drive.ts';
import { DECIDE_ACTIVITIES } from '../floor-activities.ts';
import { startFloorVerification, startKycVerification, userPool } from '../flows.ts';
import { timeline } from '../history.ts';
import { databaseBackends, measureCpu, residentBytes } from '../machine.ts';
import { activityBetween, databaseActivity, STATISTICS_DELAY_MS } from '../postgres.ts';
import type { Rig } from '../rig.ts';
import { mib, ms, percentile, perSecond, ratio, sleep } from '../stats.ts';
import type { PartResult, Row } from '../table.ts';

type Side = 'kyc' | 'floor' | 'upserts';

const SETTINGS = {
  full: { warmupMs: 5_000, rounds: 3, saturationMs: 20_000, rampMs: 3_000, openRounds: 2, openMs: 20_000 },
  quick: { warmupMs: 1_000, rounds: 1, saturationMs: 4_000, rampMs: 1_000, openRounds: 1, openMs: 2_000 },
};
/** Enough verifications in flight to keep every process busy on two cores. */
const CONCURRENCY = 32;
const RATES = [5, 20];
const PROCESS_GROUPS = ['worker', 'temporal', 'postgres', 'driver'] as const;

/** The sides in round `round`, rotated so that none always runs on what another warmed. */
function rotation<T>(sides: readonly T[], round: number): T[] {
  return sides.map((_, index) => sides[(index + round) % sides.length] as T);
}

interface Saturation {
  throughput: number[];
  unfinished: number;
  /** CPU ms per verification, by process group, one reading per round. */
  cpuPerVerification: Array<Record<string, number>>;
  otherCores: number[];
}

export async function floorPart(rig: Rig, quick: boolean): Promise<PartResult> {
  const settings = quick ? SETTINGS.quick : SETTINGS.full;
  const worker = await rig.startWorker();
  const statsSql = createSql(rig.harness.db.url, { max: 1 });
  try {
    const client = rig.env.client;
    const nextUser = userPool(rig.harness.db.sql);
    let floorRuns = 0;
    let kycVerifications = 0;
    const floorId = () => `floor-${worker.taskQueue}-${floorRuns++}`;
    const launch: Record<Side, Launch> = {
      kyc: async () => {
        kycVerifications += 1;
        return startKycVerification(client, worker.taskQueue, rig.documents, await nextUser());
      },
      floor: () => startFloorVerification(client, worker.taskQueue, floorId()),
      upserts: () => startFloorVerification(client, worker.taskQueue, floorId(), { upsertLikeKyc: true }),
    };
    const databaseBefore = await databaseActivity(statsSql);

    for (const side of ['kyc', 'floor'] as const) {
      await closedLoop(worker, launch[side], { concurrency: CONCURRENCY, durationMs: settings.warmupMs, rampMs: 0 });
    }

    const processes = {
      worker: [worker.pid],
      temporal: [rig.devServer.process.pid as number],
      postgres: await databaseBackends(statsSql),
      driver: [process.pid],
    };
    const saturation = Object.fromEntries(
      (['kyc', 'floor', 'upserts'] as const).map((side) => [
        side,
        { throughput: [], unfinished: 0, cpuPerVerification: [], otherCores: [] } as Saturation,
      ]),
    ) as Record<Side, Saturation>;
    for (let round = 0; round < settings.rounds; round += 1) {
      for (const side of rotation(['kyc', 'floor', 'upserts'] as const, round)) {
        let cores: Record<string, number> = {};
        const result = await closedLoop(
          worker,
          launch[side],
          { concurrency: CONCURRENCY, durationMs: settings.saturationMs, rampMs: settings.rampMs },
          () => {
            const stop = measureCpu(processes);
            return () => {
              cores = stop();
            };
          },
        );
        saturation[side].throughput.push(result.throughput);
        saturation[side].unfinished += result.unfinished;
        saturation[side].cpuPerVerification.push(
          Object.fromEntries(PROCESS_GROUPS.map((group) => [group, ((cores[group] ?? 0) / result.throughput) * 1000])),
        );
        saturation[side].otherCores.push(cores.other ?? 0);
      }
    }

    const workerRssAfterSaturation = residentBytes(worker.pid);

    const openLoops: Record<number, Record<'kyc' | 'floor', { finished: Finished[]; unfinished: number }>> = {};
    for (const rate of RATES) {
      const bySide = {
        kyc: { finished: [] as Finished[], unfinished: 0 },
        floor: { finished: [] as Finished[], unfinished: 0 },
      };
      for (let round = 0; round < settings.openRounds; round += 1) {
        for (const side of rotation(['kyc', 'floor'] as const, round)) {
          const result = await openLoop(worker, launch[side], { rate, durationMs: settings.openMs });
          bySide[side].finished.push(...result.finished);
          bySide[side].unfinished += result.unfinished;
        }
      }
      openLoops[rate] = bySide;
    }

    const statements = await worker.statements();
    // Read as the worker holds it, without a collection first: what the machine has to give it.
    const workerRss = { afterSaturation: workerRssAfterSaturation, atEnd: residentBytes(worker.pid) };
    await worker.stop();
    await sleep(STATISTICS_DELAY_MS);
    const database = activityBetween(databaseBefore, await databaseActivity(statsSql));

    const latency: Record<number, Record<'kyc' | 'floor', LatencyBreakdown>> = {};
    for (const rate of RATES) {
      const sides = openLoops[rate] as (typeof openLoops)[number];
      latency[rate] = {
        kyc: { ...(await breakdown(rig, sides.kyc.finished)), unfinished: sides.kyc.unfinished },
        floor: { ...(await breakdown(rig, sides.floor.finished)), unfinished: sides.floor.unfinished },
      };
    }
    const figures = {
      concurrency: CONCURRENCY,
      settings,
      saturation,
      workerRss,
      latency,
      kycVerifications,
      database: {
        ...database,
        activeMsPerVerification: database.activeMs / kycVerifications,
        statementsPerVerification: statements / kycVerifications,
      },
    };
    return { part: 'floor', rows: rows(figures), figures };
  } finally {
    await worker.stop();
    await statsSql.end({ timeout: 5 });
  }
}

interface LatencyBreakdown {
  /** From just before the first upload to the decision (the `decide` activity's return). */
  endToEnd: { p50: number; p95: number; p99: number; count: number };
  unfinished: number;
  /** Start-to-close of each activity type, p50. */
  activityP50: Record<string, number>;
  activityScheduleToStart: { p50: number; p95: number };
  workflowTaskScheduleToStart: { p50: number; p95: number };
  workflowTaskP50: number;
  workflowTasksPerVerification: number;
}

/** Reads every finished verification's history for its timings. */
async function breakdown(rig: Rig, finished: Finished[]): Promise<Omit<LatencyBreakdown, 'unfinished'>> {
  const endToEnd: number[] = [];
  const activityTimes: Record<string, number[]> = {};
  const activityWaits: number[] = [];
  const taskWaits: number[] = [];
  const taskTimes: number[] = [];
  const readsAtOnce = 8;
  for (let index = 0; index < finished.length; index += readsAtOnce) {
    const batch = finished.slice(index, index + readsAtOnce);
    const timelines = await Promise.all(
      batch.map(async (run) => timeline(await rig.env.client.workflow.getHandle(run.workflowId).fetchHistory())),
    );
    timelines.forEach(({ activities, localActivities, workflowTasks }, position) => {
      // The KycWorkflow decides in a local activity (PATCHES.fewerActions), the floor in an activity.
      const decided = [...activities, ...localActivities].find((activity) => DECIDE_ACTIVITIES.has(activity.type));
      if (decided) endToEnd.push(decided.completedAt - (batch[position] as Finished).startedAt);
      for (const activity of activities) {
        activityTimes[activity.type] = [
          ...(activityTimes[activity.type] ?? []),
          activity.completedAt - activity.startedAt,
        ];
        activityWaits.push(activity.startedAt - activity.scheduledAt);
      }
      for (const task of workflowTasks) {
        taskWaits.push(task.startedAt - task.scheduledAt);
        taskTimes.push(task.completedAt - task.startedAt);
      }
    });
  }
  return {
    endToEnd: {
      p50: percentile(endToEnd, 50),
      p95: percentile(endToEnd, 95),
      p99: percentile(endToEnd, 99),
      count: endToEnd.length,
    },
    activityP50: Object.fromEntries(
      Object.entries(activityTimes).map(([type, times]) => [type, percentile(times, 50)]),
    ),
    activityScheduleToStart: { p50: percentile(activityWaits, 50), p95: percentile(activityWaits, 95) },
    workflowTaskScheduleToStart: { p50: percentile(taskWaits, 50), p95: percentile(taskWaits, 95) },
    workflowTaskP50: percentile(taskTimes, 50),
    workflowTasksPerVerification: taskTimes.length / Math.max(finished.length, 1),
  };
}

const median = (values: number[]) => percentile(values, 50);

function rows(figures: {
  saturation: Record<Side, Saturation>;
  workerRss: { afterSaturation: number; atEnd: number };
  latency: Record<number, Record<'kyc' | 'floor', LatencyBreakdown>>;
  database: { activeMsPerVerification: number; statementsPerVerification: number };
}): Row[] {
  const { saturation, latency } = figures;
  const rate = (side: Side) => median(saturation[side].throughput);
  const cpu = (side: Side, group: string) =>
    median(saturation[side].cpuPerVerification.map((round) => round[group] ?? 0));
  const cpuTotal = (side: Side) => PROCESS_GROUPS.reduce((total, group) => total + cpu(side, group), 0);
  const whole = (value: number) => (Number.isFinite(value) ? value.toFixed(0) : 'n/a');
  const cpuLine = (side: Side) =>
    `${PROCESS_GROUPS.map((group) => whole(cpu(side, group))).join(' + ')} = ${whole(cpuTotal(side))} ms`;
  const rounds = (side: Side) => saturation[side].throughput.map((value) => value.toFixed(1)).join(', ');
  const result: Row[] = [
    {
      figure: `verifications/s at saturation, ${CONCURRENCY} in flight (median of rounds ${rounds('kyc')} vs ${rounds('floor')}; other tenants' load ${median(saturation.kyc.otherCores).toFixed(2)} cores)`,
      value: perSecond(rate('kyc')),
      floor: perSecond(rate('floor')),
      ratio: ratio(rate('kyc') / rate('floor')),
    },
    {
      figure:
        'CPU per verification at saturation: worker + Temporal server + PostgreSQL + driver (client, stand-ins, doors)',
      value: cpuLine('kyc'),
      floor: cpuLine('floor'),
      ratio: ratio(cpuTotal('kyc') / cpuTotal('floor')),
    },
    {
      figure: `the floor publishing search attributes as KycWorkflow does (at the start, then 1 upsert): verifications/s, and Temporal server CPU per verification`,
      value: `${perSecond(rate('upserts'))}, ${ms(cpu('upserts', 'temporal'))}`,
      floor: `${perSecond(rate('floor'))}, ${ms(cpu('floor', 'temporal'))}`,
      ratio: ratio(rate('upserts') / rate('floor')),
    },
  ];
  result.push({
    figure: 'worker RSS (one worker runs both sides) after the saturation rounds, and at the end of the part',
    value: `${mib(figures.workerRss.afterSaturation)}, ${mib(figures.workerRss.atEnd)}`,
  });
  const unfinished = saturation.kyc.unfinished + saturation.floor.unfinished + saturation.upserts.unfinished;
  if (unfinished > 0) {
    result.push({
      figure: 'verifications unfinished after 30 s at saturation (floor with upserts in brackets)',
      value: String(saturation.kyc.unfinished),
      floor: `${saturation.floor.unfinished} (${saturation.upserts.unfinished})`,
    });
  }
  for (const [offered, sides] of Object.entries(latency)) {
    for (const p of ['p50', 'p95', 'p99'] as const) {
      result.push({
        figure: `first upload → decision at ${offered}/s, ${p} (${sides.kyc.endToEnd.count} vs ${sides.floor.endToEnd.count} verifications)`,
        value: ms(sides.kyc.endToEnd[p]),
        floor: ms(sides.floor.endToEnd[p]),
        ratio: ratio(sides.kyc.endToEnd[p] / sides.floor.endToEnd[p]),
      });
    }
    if (sides.kyc.unfinished + sides.floor.unfinished > 0) {
      result.push({
        figure: `verifications unfinished after 30 s at ${offered}/s`,
        value: String(sides.kyc.unfinished),
        floor: String(sides.floor.unfinished),
      });
    }
  }
  const slow = latency[5];
  if (slow) {
    result.push(
      {
        figure: `at 5/s, activity start-to-close p50: ${Object.keys(slow.kyc.activityP50).join(', ')}`,
        value: Object.values(slow.kyc.activityP50).map(ms).join(', '),
        floor: `${ms(median(Object.values(slow.floor.activityP50)))} each`,
      },
      {
        figure: 'database time per KYC verification (PostgreSQL server time, all statements), and statements',
        value: `${ms(figures.database.activeMsPerVerification)}, ${figures.database.statementsPerVerification.toFixed(0)}`,
        floor: 'none',
      },
      {
        figure: 'at 5/s, activity schedule-to-start p50 / p95',
        value: `${ms(slow.kyc.activityScheduleToStart.p50)} / ${ms(slow.kyc.activityScheduleToStart.p95)}`,
        floor: `${ms(slow.floor.activityScheduleToStart.p50)} / ${ms(slow.floor.activityScheduleToStart.p95)}`,
      },
      {
        figure: 'at 5/s, workflow task schedule-to-start p50 / p95',
        value: `${ms(slow.kyc.workflowTaskScheduleToStart.p50)} / ${ms(slow.kyc.workflowTaskScheduleToStart.p95)}`,
        floor: `${ms(slow.floor.workflowTaskScheduleToStart.p50)} / ${ms(slow.floor.workflowTaskScheduleToStart.p95)}`,
      },
      {
        figure: 'at 5/s, workflow tasks per verification, and their start-to-close p50',
        value: `${slow.kyc.workflowTasksPerVerification.toFixed(1)}, ${ms(slow.kyc.workflowTaskP50)}`,
        floor: `${slow.floor.workflowTasksPerVerification.toFixed(1)}, ${ms(slow.floor.workflowTaskP50)}`,
      },
    );
  }
  return result;
}
