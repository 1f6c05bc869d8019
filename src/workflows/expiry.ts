/**
 * ExpiryReminderWorkflow: one pass of seed step 6, started daily (or weekly) by the `kyc-expiry-reminders` Schedule. It walks the
 * due documents in batches (one activity each, keyset-paginated), tells the KycWorkflow of every user whose document
 * expired, and continues as new every few batches so that a pass over millions of documents keeps a short history.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { ExpiredDocument, ExpiryActivities, ExpiryBatchResult } from '../contract/activities.ts';
import {
  BAD_DATA_SAMPLE_SIZE,
  type BadDataTally,
  type ExpiryPassProgress,
  type ExpiryReminderInput,
  expiryProgressQuery,
  expiryReminderInputSchema,
  REMINDER_DAYS,
} from '../contract/expiry-workflow.ts';
import { documentExpiredSignal, kycWorkflowId } from '../contract/kyc-workflow.ts';
import { KycExpiryBadData, KycExpiryExpired, KycExpiryReminders } from '../contract/search-attributes.ts';

// Retry budgets (README, "Retry budgets"); both heartbeat, so a batch held by a killed worker is retried in seconds.
const retry = {
  initialInterval: '1s',
  maximumInterval: '1m',
  maximumAttempts: 20,
  nonRetryableErrorTypes: ['PermanentAdapterError', 'BadInput'],
};
const { countDocumentsWithoutExpiry } = proxyActivities<ExpiryActivities>({
  startToCloseTimeout: '30s',
  heartbeatTimeout: '10s',
  retry,
  summary: 'Count documents without an expiry date',
});
// A batch sends its emails and product events as well, so it may take minutes; its heartbeat shows it is alive.
const { remindExpiringBatch } = proxyActivities<ExpiryActivities>({
  startToCloseTimeout: '5m',
  heartbeatTimeout: '10s',
  retry,
  summary: 'Remind and expire one batch of documents',
});
/** A batch that gives up ends the pass with the reason, instead of failing the workflow (README, "Retry budgets"). */
const PASS_ENDS_ON_FAILURE_PATCH = 'expiry-pass-ends-on-failure';

export async function ExpiryReminderWorkflow(rawInput: ExpiryReminderInput): Promise<ExpiryPassProgress> {
  const input = parseInput(rawInput);
  const progress = input.carryOver?.progress ?? newPass(input.timeZone);
  setHandler(expiryProgressQuery, () => progress);

  if (!input.carryOver) {
    progress.badData.missingExpiryDate = await countDocumentsWithoutExpiry();
    publish(progress);
  }
  let afterIdDocumentId = input.carryOver?.afterIdDocumentId ?? null;
  for (let batchesThisRun = 1; ; batchesThisRun += 1) {
    let batch: ExpiryBatchResult;
    try {
      batch = await remindExpiringBatch({ passId: progress.passId, asOf: progress.asOf, afterIdDocumentId });
    } catch (error) {
      if (!(error instanceof ActivityFailure) || !patched(PASS_ENDS_ON_FAILURE_PATCH)) throw error;
      progress.gaveUp = `${error.cause?.name ?? 'Error'}: ${error.cause?.message ?? error.message}`.slice(0, 300);
      log.error('expiry batch gave up; the pass ends here', { passId: progress.passId, batches: progress.batches });
      return progress;
    }
    progress.expiredWithoutWorkflow += await tellKycWorkflows(batch.expired);
    addBatch(progress, batch);
    publish(progress);
    afterIdDocumentId = batch.lastIdDocumentId ?? afterIdDocumentId;
    if (batch.done) break;
    if (batchesThisRun >= input.batchesPerRun || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof ExpiryReminderWorkflow>({
        timeZone: input.timeZone,
        batchesPerRun: input.batchesPerRun,
        carryOver: { afterIdDocumentId, progress: { ...progress, run: progress.run + 1 } },
      });
    }
  }

  progress.done = true;
  publish(progress);
  log.info('expiry pass done', {
    passId: progress.passId,
    asOf: progress.asOf,
    documentsDue: progress.documentsDue,
    expired: progress.expired,
  });
  return progress;
}

function parseInput(rawInput: ExpiryReminderInput) {
  const parsed = expiryReminderInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(
      `invalid ExpiryReminderWorkflow input: ${parsed.error.issues[0]?.message}`,
      'BadInput',
    );
  }
  return parsed.data;
}

function newPass(timeZone: string): ExpiryPassProgress {
  const noBadData = (): BadDataTally => ({ count: 0, idDocumentIds: [] });
  return {
    passId: uuid4(),
    asOf: dateIn(timeZone),
    run: 1,
    batches: 0,
    documentsDue: 0,
    reminders: { 90: 0, 30: 0, 7: 0 },
    expired: 0,
    expiredWithoutWorkflow: 0,
    badData: { missingExpiryDate: noBadData(), missingEmail: noBadData(), missingDecision: noBadData() },
    done: false,
  };
}

/** The workflow's own date (deterministic, and skipped forward in time-skipping tests) on the calendar of `timeZone`. */
export function dateIn(timeZone: string): string {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).formatToParts(new Date());
  } catch {
    throw ApplicationFailure.nonRetryable(`unknown time zone ${JSON.stringify(timeZone)}`, 'BadInput');
  }
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/**
 * Sends `documentExpired` to each user's KycWorkflow, which then waits for a re-upload. A user may have no running
 * workflow (verified before this service, or it was terminated): that is counted, not an error. Returns how many.
 */
async function tellKycWorkflows(expired: ExpiredDocument[]): Promise<number> {
  let withoutWorkflow = 0;
  await Promise.all(
    expired.map(({ userId, idDocumentId }) =>
      getExternalWorkflowHandle(kycWorkflowId(userId))
        .signal(documentExpiredSignal, { idDocumentId })
        .catch((error: unknown) => {
          withoutWorkflow += 1;
          log.warn('expired document not signalled', { userId, idDocumentId, why: (error as Error).message });
        }),
    ),
  );
  return withoutWorkflow;
}

function addBatch(progress: ExpiryPassProgress, batch: ExpiryBatchResult): void {
  progress.batches += 1;
  progress.documentsDue += batch.documentsDue;
  for (const days of REMINDER_DAYS) progress.reminders[days] += batch.reminders[days];
  progress.expired += batch.expired.length;
  merge(progress.badData.missingEmail, batch.missingEmail);
  merge(progress.badData.missingDecision, batch.missingDecision);
}

function merge(total: BadDataTally, batch: BadDataTally): void {
  total.count += batch.count;
  total.idDocumentIds = [...total.idDocumentIds, ...batch.idDocumentIds].slice(0, BAD_DATA_SAMPLE_SIZE);
}

function publish(progress: ExpiryPassProgress): void {
  const reminders = REMINDER_DAYS.reduce((sum, days) => sum + progress.reminders[days], 0);
  const badData = Object.values(progress.badData).reduce((sum, tally) => sum + tally.count, 0);
  upsertSearchAttributes([
    { key: KycExpiryReminders, value: reminders },
    { key: KycExpiryExpired, value: progress.expired },
    { key: KycExpiryBadData, value: badData > 0 },
  ]);
  setCurrentDetails(
    `Pass of ${progress.asOf}, run ${progress.run}: ${progress.batches} batches, ${reminders} reminders, ` +
      `${progress.expired} expired, ${badData} bad records${progress.done ? ' (done)' : ''}`,
  );
}
