/**
 * The operations every door performs on a user's KycWorkflow, in one place: start it, hand it an upload, a register
 * callback or a step request, submit a CS review, read its status. Each validates its payload against the contract
 * before anything reaches Temporal.
 */
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ERASURE_WORKFLOW_TYPE, erasureWorkflowId } from '../contract/erasure-workflow.ts';
import {
  type CsReview,
  type CsReviewAccepted,
  csReviewSchema,
  type DocumentUploaded,
  documentExpiredSignal,
  documentUploadedSchema,
  documentUploadedSignal,
  KYC_WORKFLOW_TYPE,
  type KycStatusView,
  kycStatusQuery,
  kycWorkflowId,
  type RegisterResult,
  type RetryStep,
  type RetryStepAccepted,
  registerResultSchema,
  registerResultSignal,
  retryStepSchema,
  retryStepUpdate,
  type StepRequested,
  stepRequestedSchema,
  stepRequestedSignal,
  submitCsReviewUpdate,
} from '../contract/kyc-workflow.ts';
import { kycStartSearchAttributes } from '../contract/search-attributes.ts';

export interface KycClient {
  client: Client;
  taskQueue: string;
}

/** The workflow upserts only what later differs from the attributes it was started with. */
function startOptions(kyc: KycClient, userId: number) {
  return {
    taskQueue: kyc.taskQueue,
    workflowId: kycWorkflowId(userId),
    args: [{ userId }] as [{ userId: number }],
    typedSearchAttributes: kycStartSearchAttributes(userId),
    staticSummary: `KYC verification of user ${userId}`,
  };
}

/** Starts the user's workflow; an already running one is left as it is. */
export async function startKycWorkflow(kyc: KycClient, userId: number): Promise<void> {
  await kyc.client.workflow.start(KYC_WORKFLOW_TYPE, {
    ...startOptions(kyc, userId),
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
}

export async function signalDocumentUploaded(kyc: KycClient, userId: number, upload: DocumentUploaded): Promise<void> {
  await kyc.client.workflow.signalWithStart(KYC_WORKFLOW_TYPE, {
    ...startOptions(kyc, userId),
    signal: documentUploadedSignal,
    signalArgs: [documentUploadedSchema.parse(upload)],
  });
}

export async function signalStepRequested(kyc: KycClient, userId: number, request: StepRequested): Promise<void> {
  await kyc.client.workflow.signalWithStart(KYC_WORKFLOW_TYPE, {
    ...startOptions(kyc, userId),
    signal: stepRequestedSignal,
    signalArgs: [stepRequestedSchema.parse(request)],
  });
}

/** Apify's callback goes to the workflow named in its `kyc` tag; a callback for no running workflow is an error. */
export async function signalRegisterResult(kyc: KycClient, result: RegisterResult): Promise<void> {
  const parsed = registerResultSchema.parse(result);
  await kyc.client.workflow.getHandle(kycWorkflowId(parsed.kyc.userId)).signal(registerResultSignal, parsed);
}

export async function signalDocumentExpired(kyc: KycClient, userId: number, idDocumentId: number): Promise<void> {
  await kyc.client.workflow.getHandle(kycWorkflowId(userId)).signal(documentExpiredSignal, { idDocumentId });
}

export type CsReviewResult = CsReviewAccepted | { accepted: false; reason: string };

/**
 * Submits a CS decision through the `submitCsReview` update and reports whether the workflow accepted it. With a
 * `requestId` a retried submission is the same update, and gets the first one's answer instead of a refusal.
 */
export async function submitCsReview(
  kyc: KycClient,
  userId: number,
  review: CsReview,
  options: { requestId?: string } = {},
): Promise<CsReviewResult> {
  const parsed = csReviewSchema.safeParse(review);
  if (!parsed.success) return { accepted: false, reason: `invalid review: ${parsed.error.issues[0]?.message}` };
  try {
    return await kyc.client.workflow.getHandle(kycWorkflowId(userId)).executeUpdate(submitCsReviewUpdate, {
      args: [parsed.data],
      ...(options.requestId ? { updateId: `cs-review-${options.requestId}` } : {}),
    });
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) {
      return { accepted: false, reason: error.cause?.message ?? error.message };
    }
    throw error;
  }
}

export type RetryStepResult = RetryStepAccepted | { accepted: false; reason: string };

/** Ops resume a case in NEEDS_ATTENTION through the `retryStep` update; a refusal comes back with its reason. */
export async function retryStep(kyc: KycClient, userId: number, retry: RetryStep): Promise<RetryStepResult> {
  const parsed = retryStepSchema.safeParse(retry);
  if (!parsed.success) return { accepted: false, reason: `invalid retry: ${parsed.error.issues[0]?.message}` };
  try {
    return await kyc.client.workflow
      .getHandle(kycWorkflowId(userId))
      .executeUpdate(retryStepUpdate, { args: [parsed.data] });
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) {
      return { accepted: false, reason: error.cause?.message ?? error.message };
    }
    throw error;
  }
}

export async function getKycStatus(kyc: KycClient, userId: number): Promise<KycStatusView> {
  return await kyc.client.workflow.getHandle(kycWorkflowId(userId)).query(kycStatusQuery);
}

/**
 * Starts the user's erasure (README, Compliance). Asking again while one runs, or after it finished, is harmless:
 * the running one is reported, and a finished one runs again over what is left, which is nothing.
 */
export async function startErasure(
  kyc: KycClient,
  userId: number,
  requestedBy: string,
): Promise<{ workflowId: string; alreadyRunning: boolean }> {
  const workflowId = erasureWorkflowId(userId);
  try {
    await kyc.client.workflow.start(ERASURE_WORKFLOW_TYPE, {
      taskQueue: kyc.taskQueue,
      workflowId,
      args: [{ userId, requestedBy }],
      staticSummary: `Erase user ${userId}`,
    });
    return { workflowId, alreadyRunning: false };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, alreadyRunning: true };
    throw error;
  }
}
