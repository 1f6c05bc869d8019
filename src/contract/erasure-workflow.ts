/**
 * The public contract of erasure and image retention (README, Compliance). ErasureWorkflow (`kyc-erasure-<id>`, one
 * per user, started by `POST /ops/users/:userId/erasure`) closes the user's KycWorkflow, deletes their images and
 * face, and nulls their personal data while the audit stays. ImageRetentionWorkflow, started daily by the
 * `kyc-image-retention` Schedule, deletes images a set time after a final decision.
 *
 * Inputs and results carry ids and counts only.
 */
import { defineSignal } from '@temporalio/workflow';
import { z } from 'zod';
import { userIdSchema } from './kyc-workflow.ts';

export const ERASURE_WORKFLOW_TYPE = 'ErasureWorkflow';
export const erasureWorkflowId = (userId: number) => `kyc-erasure-${userId}`;

export const erasureInputSchema = z.object({
  userId: userIdSchema,
  /** The signed-in ops person who asked (their subject), as the audit names them. */
  requestedBy: z.string().min(1).max(200),
});
export type ErasureInput = z.infer<typeof erasureInputSchema>;

export interface ErasureSummary {
  userId: number;
  /** Whether the user's KycWorkflow was open and was told to close. */
  kycWorkflowClosed: boolean;
  imagesDeleted: number;
  scansRedacted: number;
  registerChecksRedacted: number;
  /** When the user's data key was destroyed (ISO 8601); absent from erasures run before crypto-shredding existed. */
  dataKeyDestroyedAt?: string;
}

/** Tells the user's KycWorkflow to stop where it is and close: the user is being erased. */
export const closeForErasureSchema = z.object({ erasureWorkflowId: z.string().min(1).max(200) });
export type CloseForErasure = z.infer<typeof closeForErasureSchema>;
export const closeForErasureSignal = defineSignal<[CloseForErasure]>('closeForErasure');

export const IMAGE_RETENTION_WORKFLOW_TYPE = 'ImageRetentionWorkflow';
export const IMAGE_RETENTION_SCHEDULE_ID = 'kyc-image-retention';
/** Scheduled passes run as `kyc-image-retention-pass-<scheduled time>`. */
export const IMAGE_RETENTION_WORKFLOW_ID_PREFIX = 'kyc-image-retention-pass';

export interface RetentionSummary {
  imagesDeleted: number;
  batches: number;
}

export interface UserRef {
  userId: number;
}

export interface ErasureActivities {
  /** Deletes every image of the user still held, and records each as deleted. */
  eraseImages(input: UserRef): Promise<{ deleted: number }>;
  /** Removes the user's faces from the face index. */
  eraseFace(input: UserRef): Promise<void>;
  /** Nulls the personal data in PostgreSQL and marks the user ERASED. */
  erasePersonalData(input: UserRef): Promise<{ scans: number; registerChecks: number }>;
  /**
   * Destroys the user's data key, so their workflow histories can no longer be decrypted (crypto-shredding); returns
   * when it was destroyed, the first time.
   */
  destroyUserDataKey(input: UserRef): Promise<{ destroyedAt: string }>;
  /** Deletes up to one batch of images past retention; `more` when another batch may be due. */
  deleteImagesPastRetention(): Promise<{ deleted: number; more: boolean }>;
}
