/**
 * Register monitoring. `RegisterMonitorWorkflow` is one daily pass, started by the `kyc-register-monitor` Schedule:
 * it runs one `RegisterSweepWorkflow` child per register, then sends the day's digest. A sweep opens its register's
 * source, re-checks the monitored users a batch per activity (keyset-paginated, one actor run or file look-up per
 * batch), signals `registerChanged` to the KycWorkflow of every user with a change that matters, and continues as new
 * every few batches, so a sweep over 100,000 users never holds them in one history. A failing source never fails
 * the workflow: its users are counted as failed, and the summary, the search attributes and `register_sources` say so.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowFailure,
  continueAsNew,
  executeChild,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { z } from 'zod';
import { kycWorkflowId, registerChangedSignal } from '../contract/kyc-workflow.ts';
import {
  type ChangedUser,
  type RegisterMonitorActivities,
  type RegisterMonitorInput,
  type RegisterMonitorSummary,
  type RegisterSweepInput,
  type RegisterSweepSummary,
  registerMonitorInputSchema,
  registerMonitorSummaryQuery,
  registerSweepInputSchema,
  registerSweepSummaryQuery,
} from '../contract/monitor-workflow.ts';
import { KycRegisterCheckedAt, KycRegisterSource, KycRegType } from '../contract/search-attributes.ts';
import { REG_TYPES, type RegType } from '../domain/registers.ts';
import { dateIn } from './expiry.ts';

// PostgreSQL work retries until it succeeds, within a day: a pass still failing by then leaves a failed run for ops.
const database = {
  startToCloseTimeout: '2m',
  scheduleToCloseTimeout: '6h',
  retry: { initialInterval: '1s', maximumInterval: '1m' },
} as const;
const { openRegisterSource } = proxyActivities<RegisterMonitorActivities>({
  ...database,
  startToCloseTimeout: '10m',
  summary: 'Open the register source: read and keep its file',
});
const { skipRegisterBatch } = proxyActivities<RegisterMonitorActivities>({
  ...database,
  summary: 'Count a failed batch',
});
const { closeRegisterSweep } = proxyActivities<RegisterMonitorActivities>({
  ...database,
  summary: 'Record the source health',
});
// One actor run over a batch can take many minutes; the activity heartbeats while it waits, and a retry resumes the
// same run. Three attempts, then the batch counts as failed and the sweep moves on.
const { checkRegisterBatch } = proxyActivities<RegisterMonitorActivities>({
  startToCloseTimeout: '30m',
  heartbeatTimeout: '2m',
  retry: {
    initialInterval: '30s',
    backoffCoefficient: 2,
    maximumAttempts: 3,
    nonRetryableErrorTypes: ['NoRegisterFile'],
  },
  summary: 'Re-check one batch on the register',
});
const { sendMonitorDigest } = proxyActivities<RegisterMonitorActivities>({
  startToCloseTimeout: '2m',
  scheduleToCloseTimeout: '6h',
  retry: { initialInterval: '5s', maximumInterval: '10m' },
  summary: 'Email the daily digest',
});

/** After this many batches in a row gave up, the source is down: the rest of the register counts as failed. */
const FAILED_BATCHES_BEFORE_GIVING_UP = 3;

// ─── The daily pass ─────────────────────────────────────────────────────────────────────────────────────────────

export async function RegisterMonitorWorkflow(rawInput: RegisterMonitorInput): Promise<RegisterMonitorSummary> {
  const input = parse(registerMonitorInputSchema, rawInput, 'RegisterMonitorWorkflow');
  const summary: RegisterMonitorSummary = {
    passId: uuid4(),
    asOf: dateIn(input.timeZone),
    checked: 0,
    changed: 0,
    failed: 0,
    registers: [],
    registersWithoutWorkingSource: [],
    digestSent: false,
    done: false,
  };
  setHandler(registerMonitorSummaryQuery, () => summary);
  setCurrentDetails(`Pass of ${summary.asOf}: sweeping ${REG_TYPES.join(', ')}`);

  summary.registers = await Promise.all(
    REG_TYPES.map((regType) =>
      executeChild(RegisterSweepWorkflow, {
        workflowId: `${workflowInfo().workflowId}-${regType}`,
        args: [{ passId: summary.passId, asOf: summary.asOf, regType, batchesPerRun: input.batchesPerRun }],
        staticSummary: `${regType} register sweep`,
      }).catch((error: unknown) => {
        if (!(error instanceof ChildWorkflowFailure)) throw error;
        log.error('register sweep failed', { regType, why: error.cause?.message ?? error.message });
        return failedSweep(regType, error.cause?.message ?? error.message);
      }),
    ),
  );
  for (const sweep of summary.registers) {
    summary.checked += sweep.checked;
    summary.changed += sweep.changed;
    summary.failed += sweep.failed;
  }
  summary.registersWithoutWorkingSource = summary.registers
    .filter((sweep) => sweep.source.health !== 'OK')
    .map((sweep) => sweep.regType);
  publishSources(summary.registers);
  try {
    summary.digestSent = await sendMonitorDigest({ passId: summary.passId, asOf: summary.asOf, summary });
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    log.error('daily digest not sent', { asOf: summary.asOf, why: error.cause?.message ?? error.message });
  }
  summary.done = true;
  setCurrentDetails(
    `Pass of ${summary.asOf}: checked ${summary.checked}, changed ${summary.changed}, failed ${summary.failed}` +
      (summary.registersWithoutWorkingSource.length > 0
        ? `; no working source: ${summary.registersWithoutWorkingSource.join(', ')}`
        : ''),
  );
  log.info('register monitor pass done', { asOf: summary.asOf, checked: summary.checked, changed: summary.changed });
  return summary;
}

function failedSweep(regType: RegType, error: string): RegisterSweepSummary {
  return { ...newSweep(regType), source: { kind: 'NONE', health: 'FAILING', error }, done: true };
}

// ─── One register's sweep ───────────────────────────────────────────────────────────────────────────────────────

export async function RegisterSweepWorkflow(rawInput: RegisterSweepInput): Promise<RegisterSweepSummary> {
  const input = parse(registerSweepInputSchema, rawInput, 'RegisterSweepWorkflow');
  const ref = { passId: input.passId, asOf: input.asOf, regType: input.regType };
  const summary = input.carryOver?.summary ?? newSweep(input.regType);
  setHandler(registerSweepSummaryQuery, () => summary);

  if (!input.carryOver) {
    const opened = await openRegisterSource(ref);
    summary.source = { kind: opened.kind, health: opened.health, error: opened.error };
    summary.due = opened.due;
    summary.fileReads = opened.fileReads;
    summary.fileDiff = opened.fileDiff;
    publishSweep(summary);
    if (opened.health !== 'OK') {
      summary.failed = opened.due;
      return await closeSweep(ref, summary);
    }
  }

  let afterUserId = input.carryOver?.afterUserId ?? 0;
  let failedInARow = 0;
  for (let batchesThisRun = 1; ; batchesThisRun += 1) {
    let done: boolean;
    try {
      const batch = await checkRegisterBatch({ ...ref, afterUserId });
      summary.checked += batch.checked;
      summary.changed += batch.changed.length;
      summary.renewalReminders += batch.renewalReminders;
      summary.apifyRuns += batch.apifyRuns;
      summary.changedWithoutWorkflow += await tellKycWorkflows(batch.changed, input.asOf);
      afterUserId = batch.lastUserId;
      done = batch.done;
      failedInARow = 0;
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      const why = error.cause?.message ?? error.message;
      summary.source = { ...summary.source, health: 'FAILING', error: why };
      failedInARow += 1;
      if (failedInARow >= FAILED_BATCHES_BEFORE_GIVING_UP) {
        log.error('register source down: the rest of the sweep counts as failed', { regType: input.regType, why });
        summary.failed = summary.due - summary.checked;
        done = true;
      } else {
        const skipped = await skipRegisterBatch({ ...ref, afterUserId });
        summary.failed += skipped.skipped;
        afterUserId = skipped.lastUserId;
        done = skipped.done;
      }
    }
    summary.batches += 1;
    publishSweep(summary);
    if (done) break;
    if (batchesThisRun >= input.batchesPerRun || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof RegisterSweepWorkflow>({ ...input, carryOver: { afterUserId, summary } });
    }
  }
  return await closeSweep(ref, summary);
}

function newSweep(regType: RegType): RegisterSweepSummary {
  return {
    regType,
    source: { kind: 'NONE', health: 'NOT_CONFIGURED', error: null },
    due: 0,
    checked: 0,
    changed: 0,
    failed: 0,
    changedWithoutWorkflow: 0,
    renewalReminders: 0,
    apifyRuns: 0,
    fileReads: 0,
    fileDiff: null,
    lastCheckedAt: null,
    notRecheckedIn48h: 0,
    batches: 0,
    done: false,
  };
}

async function closeSweep(
  ref: { passId: string; asOf: string; regType: RegType },
  summary: RegisterSweepSummary,
): Promise<RegisterSweepSummary> {
  const closed = await closeRegisterSweep({ ...ref, health: summary.source.health, error: summary.source.error });
  summary.lastCheckedAt = closed.lastCheckedAt;
  summary.notRecheckedIn48h = closed.notRecheckedIn48h;
  summary.done = true;
  publishSweep(summary);
  return summary;
}

/**
 * Tells each changed user's KycWorkflow, which decides again. A user may have no running workflow (verified before
 * this service, or it was terminated): that is counted, not an error. Returns how many.
 */
async function tellKycWorkflows(changed: ChangedUser[], snapshotDate: string): Promise<number> {
  let withoutWorkflow = 0;
  await Promise.all(
    changed.map(({ userId, regCheckId, changes }) =>
      getExternalWorkflowHandle(kycWorkflowId(userId))
        .signal(registerChangedSignal, { regCheckId, snapshotDate, changes })
        .catch((error: unknown) => {
          withoutWorkflow += 1;
          log.warn('register change not signalled', { userId, regCheckId, why: (error as Error).message });
        }),
    ),
  );
  return withoutWorkflow;
}

// ─── Visibility ─────────────────────────────────────────────────────────────────────────────────────────────────

function sourceKeywords(sweeps: RegisterSweepSummary[]): string[] {
  const keywords = sweeps.flatMap((sweep) => [
    `${sweep.regType}:${sweep.source.kind}`,
    `${sweep.regType}:${sweep.source.health}`,
  ]);
  return sweeps.some((sweep) => sweep.source.health !== 'OK') ? [...keywords, 'NO_WORKING_SOURCE'] : keywords;
}

/**
 * The sweep's search attributes, upserted only when they change (each upsert is a history event and an Action): at
 * the start, when the source starts failing, and at the end. Its counts go to the run's details, which cost nothing.
 */
function publishSweep(summary: RegisterSweepSummary): void {
  const attributes = [
    { key: KycRegType, value: summary.regType },
    { key: KycRegisterSource, value: sourceKeywords([summary]) },
    ...(summary.lastCheckedAt ? [{ key: KycRegisterCheckedAt, value: new Date(summary.lastCheckedAt) }] : []),
  ];
  const published = workflowInfo().typedSearchAttributes;
  const unchanged =
    published.get(KycRegType) === summary.regType &&
    JSON.stringify(published.get(KycRegisterSource)) === JSON.stringify(attributes[1]?.value) &&
    (summary.lastCheckedAt === null || published.get(KycRegisterCheckedAt)?.toISOString() === summary.lastCheckedAt);
  if (!unchanged) upsertSearchAttributes(attributes);
  setCurrentDetails(
    `${summary.regType} sweep (${summary.source.kind}, ${summary.source.health}): checked ${summary.checked} of ` +
      `${summary.due}, changed ${summary.changed}, failed ${summary.failed}${summary.done ? ' (done)' : ''}`,
  );
}

function publishSources(sweeps: RegisterSweepSummary[]): void {
  const checkedAt = sweeps.map((sweep) => sweep.lastCheckedAt);
  const leastRecent = checkedAt.every((at) => at !== null) ? checkedAt.sort()[0] : undefined;
  upsertSearchAttributes([
    { key: KycRegisterSource, value: sourceKeywords(sweeps) },
    ...(leastRecent ? [{ key: KycRegisterCheckedAt, value: new Date(leastRecent) }] : []),
  ]);
}

function parse<T extends z.ZodType>(schema: T, raw: unknown, workflow: string): z.output<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(`invalid ${workflow} input: ${parsed.error.issues[0]?.message}`, 'BadInput');
  }
  return parsed.data;
}
