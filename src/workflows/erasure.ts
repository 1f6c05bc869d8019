/**
 * ErasureWorkflow and ImageRetentionWorkflow (README, Compliance). Erasure closes the user's KycWorkflow first, so no
 * cycle writes new data while it runs (the writers of personal data also refuse an erased user), then deletes the
 * images and the face, and nulls the personal data, which marks the user ERASED. Last it destroys the user's data key,
 * so their workflow histories can no longer be read (crypto-shredding).
 */
import {
  ApplicationFailure,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import {
  closeForErasureSignal,
  type ErasureActivities,
  type ErasureInput,
  type ErasureSummary,
  erasureInputSchema,
  type RetentionSummary,
} from '../contract/erasure-workflow.ts';
import { kycWorkflowId } from '../contract/kyc-workflow.ts';

// Retry budgets (README, "Retry budgets"): erasure must finish, so its steps retry for long; all heartbeat.
const retry = {
  initialInterval: '1s',
  maximumInterval: '5m',
  maximumAttempts: 50,
  nonRetryableErrorTypes: ['BadInput'],
};
/** Each id marks a change of the commands a workflow issues, so histories from before it replay unchanged. */
const PATCHES = {
  /** Erasure ends by destroying the user's data key (README, Compliance, "Crypto-shredding"). */
  destroyDataKey: 'erasure-destroys-data-key',
};

const { eraseImages, eraseFace, erasePersonalData, destroyUserDataKey } = proxyActivities<ErasureActivities>({
  startToCloseTimeout: '5m',
  heartbeatTimeout: '30s',
  retry,
  summary: 'Erase the user',
});
const { deleteImagesPastRetention } = proxyActivities<ErasureActivities>({
  startToCloseTimeout: '5m',
  heartbeatTimeout: '30s',
  retry,
  summary: 'Delete images past retention',
});

export async function ErasureWorkflow(rawInput: ErasureInput): Promise<ErasureSummary> {
  const parsed = erasureInputSchema.safeParse(rawInput);
  if (!parsed.success) throw ApplicationFailure.nonRetryable('invalid erasure input', 'BadInput');
  const { userId } = parsed.data;
  const kycWorkflowClosed = await getExternalWorkflowHandle(kycWorkflowId(userId))
    .signal(closeForErasureSignal, { erasureWorkflowId: workflowInfo().workflowId })
    .then(
      () => true,
      (error: unknown) => {
        // No open KycWorkflow (never started, or already closed): nothing to close.
        log.info('no open KycWorkflow to close', { userId, why: (error as Error).message });
        return false;
      },
    );
  const images = await eraseImages({ userId });
  await eraseFace({ userId });
  const erased = await erasePersonalData({ userId });
  // After the KycWorkflow closed and the data is gone: nothing of the user is written under the key any more.
  const key = patched(PATCHES.destroyDataKey) ? await destroyUserDataKey({ userId }) : null;
  return {
    userId,
    kycWorkflowClosed,
    imagesDeleted: images.deleted,
    scansRedacted: erased.scans,
    registerChecksRedacted: erased.registerChecks,
    ...(key ? { dataKeyDestroyedAt: key.destroyedAt } : {}),
  };
}

/** Batches per run before continuing as new, so a pass over a large backlog keeps a short history. */
const BATCHES_PER_RUN = 100;

/** One daily pass: deletes images past retention a batch at a time until none is due. */
export async function ImageRetentionWorkflow(carried?: RetentionSummary): Promise<RetentionSummary> {
  const summary: RetentionSummary = { imagesDeleted: carried?.imagesDeleted ?? 0, batches: carried?.batches ?? 0 };
  for (let batch = 0; batch < BATCHES_PER_RUN; batch += 1) {
    const { deleted, more } = await deleteImagesPastRetention();
    summary.imagesDeleted += deleted;
    summary.batches += 1;
    if (!more) return summary;
  }
  return await continueAsNew<typeof ImageRetentionWorkflow>(summary);
}
