/** Erasure and image retention (README, Compliance): each step idempotent, so a retry finishes what one started. */
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { ErasureActivities, UserRef } from '../contract/erasure-workflow.ts';
import { kycWorkflowId } from '../contract/kyc-workflow.ts';
import { erasePersonalData, type HeldImage, heldImages, imagesPastRetention, markImageDeleted } from '../db/erasure.ts';
import { destroyUserDataKey } from '../db/user-data-keys.ts';
import type { ActivityDeps } from './deps.ts';

export function createErasureActivities({
  sql,
  objects,
  faceIndex,
  settings,
  logger,
}: ActivityDeps): ErasureActivities {
  /** Object first, then its row: a crash between them leaves the row saying held, and the retry deletes again. */
  async function deleteImages(images: HeldImage[]): Promise<number> {
    for (const image of images) {
      await objects.delete({ bucket: settings.selfiesBucket, key: image.key });
      await markImageDeleted(sql, image);
      Context.current().heartbeat();
    }
    return images.length;
  }

  return {
    async eraseImages({ userId }: UserRef) {
      const deleted = await deleteImages(await heldImages(sql, userId));
      logger.info({ userId, deleted }, 'erasure: images deleted');
      return { deleted };
    },

    async eraseFace({ userId }: UserRef) {
      await faceIndex.removeUser(userId);
      logger.info({ userId }, 'erasure: face removed from the index');
    },

    async erasePersonalData({ userId }: UserRef) {
      const erased = await erasePersonalData(sql, userId);
      logger.info({ userId, ...erased }, 'erasure: personal data nulled');
      return erased;
    },

    async destroyUserDataKey({ userId }: UserRef) {
      // Only once the KycWorkflow has closed: an open one still reads its own history (and its signals) with the key.
      const open = await Context.current()
        .client.workflow.getHandle(kycWorkflowId(userId))
        .describe()
        .then(
          (description) => description.status.name === 'RUNNING',
          (error: unknown) => {
            if (error instanceof WorkflowNotFoundError) return false;
            throw error;
          },
        );
      if (open) throw ApplicationFailure.retryable(`${kycWorkflowId(userId)} is still open`, 'KycWorkflowStillOpen');
      const destroyedAt = (await destroyUserDataKey(sql, userId)).toISOString();
      logger.info({ userId, destroyedAt }, 'erasure: data key destroyed');
      return { destroyedAt };
    },

    async deleteImagesPastRetention() {
      const { days, batchSize } = settings.imageRetention;
      const due = await imagesPastRetention(sql, days, batchSize);
      const deleted = await deleteImages(due);
      logger.info({ deleted, retentionDays: days }, 'retention: images deleted');
      return { deleted, more: due.length === batchSize };
    },
  };
}
