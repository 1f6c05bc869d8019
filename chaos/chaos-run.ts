/**
 * One chaos run: N verifications through the real doors while the worker and the API/bridge processes are killed
 * with SIGKILL, PostgreSQL and Temporal restart and every stand-in misbehaves now and then; then the checks of what
 * came out (see checks.ts). `npm run chaos` runs it from the command line, test/chaos.test.ts runs a short one.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChaosReport, checkChaosRun } from './checks.ts';
import type { RetryTally } from './doors.ts';
import { type ChaosEnvironment, startChaosEnvironment } from './environment.ts';
import { conductProcessFaults, type FaultEvent, runStandInFaults, sendPoisonMessages } from './faults.ts';
import { type PlanOptions, planChaosRun } from './plan.ts';
import { type ServiceProcess, superviseServiceProcess } from './processes.ts';
import { sleep, waitFor } from './timing.ts';
import { createVerificationDriver, type VerificationProgress } from './verifications.ts';

export interface ChaosOptions extends PlanOptions {
  /** How long after the load window the run waits for the last decisions before it gives up. */
  settleMs: number;
  /** Progress lines; the report is returned, not printed. */
  log: (line: string) => void;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const { log } = options;
  const plan = planChaosRun(options);
  const runDir = await mkdtemp(join(tmpdir(), 'kyc-chaos-'));
  // As root, PostgreSQL runs as a user of its own, which must be able to reach its data folder inside this one.
  await chmod(runDir, 0o755);
  log(`run folder ${runDir} (process logs stay there)`);
  const env = await startChaosEnvironment(runDir);
  const processes: ServiceProcess[] = [];
  const killEverything = () => {
    for (const service of processes) service.killAtExit();
    env.killAtExit();
  };
  // Whatever ends the harness, its children end with it.
  process.once('exit', killEverything);
  const onSignal = (signal: NodeJS.Signals) => {
    killEverything();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await drive(options, plan, env, processes, runDir);
  } finally {
    for (const service of processes) await service.stop();
    await env.close();
    process.off('exit', killEverything);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // The logs stay for reading; the data of the servers is big and of no further use.
    await rm(join(runDir, 'postgres'), { recursive: true, force: true });
    await rm(join(runDir, 'temporal.sqlite'), { force: true });
  }
}

async function drive(
  options: ChaosOptions,
  plan: ReturnType<typeof planChaosRun>,
  env: ChaosEnvironment,
  processes: ServiceProcess[],
  runDir: string,
): Promise<ChaosReport> {
  const { log } = options;
  const warn = (line: string) => log(`! ${line}`);
  const worker = superviseServiceProcess({
    name: 'worker',
    script: 'src/workers/main.ts',
    env: env.serviceEnv,
    readyMessage: 'worker started',
    logFile: join(runDir, 'worker.log'),
    warn,
  });
  const api = superviseServiceProcess({
    name: 'api',
    script: 'src/starters/api.ts',
    env: env.serviceEnv,
    readyMessage: 'doors open',
    logFile: join(runDir, 'api.log'),
    warn,
  });
  processes.push(worker, api);
  await Promise.all([worker.start(), api.start()]);
  log(`worker and API/bridge processes ready; ${plan.verifications.length} verifications, seed ${plan.seed}`);

  const retries: RetryTally = { connection: 0, timeout: 0, serverError: 0, command: 0 };
  const driver = createVerificationDriver({
    apiUrl: env.apiUrl,
    seed: plan.seed,
    programmer: env.programmer,
    serviceEnv: env.serviceEnv,
    retries,
  });
  const progress: VerificationProgress[] = plan.verifications.map((planned) => ({
    planned,
    userId: null,
    acceptedUploads: [],
    review: null,
    failure: null,
  }));

  await sendPoisonMessages(env);
  const startedAt = Date.now();
  const timeline: FaultEvent[] = [];
  let finished = false;
  const standInFaults = runStandInFaults({ env, seed: plan.seed, stop: () => finished });
  const processFaults = conductProcessFaults({
    plan: plan.faults,
    seed: plan.seed,
    startedAt,
    env,
    worker,
    api,
    timeline,
  });
  const verifications = Promise.all(
    progress.map(async (one) => {
      await sleep(one.planned.startAfterMs);
      await driver.startVerification(one).catch((error: unknown) => {
        one.failure = `sign-up or upload: ${(error as Error).message}`;
      });
    }),
  );
  const deadline = startedAt + plan.loadWindowMs + options.settleMs;
  const reviews = driver.workReviewQueue(progress, () => Date.now() > deadline);

  // Decided means the final decision is in the database: the automatic one, or CS's for a case sent to review.
  const decidedCount = async () => {
    const rows = await env.sql<{ userId: number; source: string }[]>`
      select user_id as "userId", source from kyc_decisions`;
    const finalSources = new Set(rows.map((row) => `${row.userId}/${row.source}`));
    return progress.filter(
      (one) => one.userId !== null && finalSources.has(`${one.userId}/${one.planned.review ? 'CS' : 'AUTOMATIC'}`),
    ).length;
  };
  let lastReport = 0;
  const allDecided = await waitFor(async () => {
    const decided = await decidedCount();
    if (Date.now() - lastReport > 15_000) {
      lastReport = Date.now();
      log(`${Math.round((Date.now() - startedAt) / 1000)}s: ${decided}/${progress.length} decided`);
    }
    return decided === progress.length;
  }, deadline - Date.now());
  if (!allDecided) warn('not every verification was decided before the deadline');
  // Every planned fault happens, even if the verifications were faster.
  await processFaults;
  finished = true;
  const standIns = await standInFaults;
  await verifications;
  await reviews;
  const decidedAt = Date.now();
  log(`all faults done; checking (${Math.round((decidedAt - startedAt) / 1000)}s after the start)`);

  return await checkChaosRun({
    env,
    plan,
    progress,
    startedAt,
    decidedAt,
    timeline,
    standIns,
    retries,
    processes: { worker, api },
    runDir,
  });
}
