/** Load on the bench worker: closed loop (a fixed number in flight, for throughput) and open loop (a fixed rate). */
import type { Started } from './flows.ts';
import type { BenchWorker } from './rig.ts';
import { sleep } from './stats.ts';

/** Starts one verification. */
export type Launch = () => Promise<Started>;

export interface Finished extends Started {
  /** When its last activity returned, epoch ms. */
  finishedAt: number;
}

/** A verification that does not finish in this long counts as unfinished (and stops holding its slot). */
const FINISH_TIMEOUT_MS = 30_000;

async function finished(worker: BenchWorker, started: Started): Promise<Finished | null> {
  let timer: NodeJS.Timeout | undefined;
  const finishedAt = await Promise.race([
    worker.verified(started.workflowId),
    new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), FINISH_TIMEOUT_MS);
    }),
  ]);
  clearTimeout(timer);
  return finishedAt === null ? null : { ...started, finishedAt };
}

/** Keeps `concurrency` verifications in flight for as long as `more()` says so; `settled` hears of each. */
async function keepInFlight(
  worker: BenchWorker,
  launch: Launch,
  concurrency: number,
  more: () => boolean,
  settled: (outcome: Finished | null) => void,
): Promise<void> {
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (more()) settled(await finished(worker, await launch()));
    }),
  );
}

export interface ClosedLoopResult {
  /** Verifications finished per second inside the measured window. */
  throughput: number;
  finished: number;
  unfinished: number;
}

/**
 * Keeps `concurrency` verifications in flight for `durationMs`, then lets the last ones finish. The first `rampMs`
 * are not measured, so the window sees the steady state rather than the first burst. `duringWindow` is called when
 * the window opens, and what it returns when the window closes.
 */
export async function closedLoop(
  worker: BenchWorker,
  launch: Launch,
  options: { concurrency: number; durationMs: number; rampMs: number },
  duringWindow?: () => () => void,
): Promise<ClosedLoopResult> {
  const start = Date.now();
  const windowStart = start + options.rampMs;
  const windowEnd = start + options.durationMs;
  let inWindow = 0;
  let unfinished = 0;
  const window = sleep(options.rampMs).then(async () => {
    const closeWindow = duringWindow?.();
    await sleep(options.durationMs - options.rampMs);
    closeWindow?.();
  });
  await keepInFlight(
    worker,
    launch,
    options.concurrency,
    () => Date.now() < windowEnd,
    (outcome) => {
      if (!outcome) unfinished += 1;
      else if (outcome.finishedAt >= windowStart && outcome.finishedAt <= windowEnd) inWindow += 1;
    },
  );
  await window;
  return { throughput: inWindow / ((windowEnd - windowStart) / 1000), finished: inWindow, unfinished };
}

/** Runs `total` verifications, `concurrency` at a time. */
export async function verifyCount(
  worker: BenchWorker,
  launch: Launch,
  options: { concurrency: number; total: number },
): Promise<{ verified: number; unfinished: number }> {
  let launched = 0;
  const result = { verified: 0, unfinished: 0 };
  await keepInFlight(
    worker,
    launch,
    options.concurrency,
    () => launched++ < options.total,
    (outcome) => {
      if (outcome) result.verified += 1;
      else result.unfinished += 1;
    },
  );
  return result;
}

export interface OpenLoopResult {
  finished: Finished[];
  unfinished: number;
}

/** Starts a verification every 1/rate s for `durationMs`, whatever became of the earlier ones; waits for them all. */
export async function openLoop(
  worker: BenchWorker,
  launch: Launch,
  options: { rate: number; durationMs: number },
): Promise<OpenLoopResult> {
  const start = Date.now();
  const runs: Promise<Finished | null>[] = [];
  for (let index = 0; index < (options.rate * options.durationMs) / 1000; index += 1) {
    await sleep(start + (index * 1000) / options.rate - Date.now());
    runs.push(launch().then((started) => finished(worker, started)));
  }
  const outcomes = await Promise.all(runs);
  const done = outcomes.filter((outcome): outcome is Finished => outcome !== null);
  return { finished: done, unfinished: outcomes.length - done.length };
}
