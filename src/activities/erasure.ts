/** Erasure and image retention (README, Compliance): each step idempotent, so a retry finishes what one started. */
import { Context } from '@temporalio/activity';
import type { ErasureActivities, UserRef } from '../contract/erasure-workflow.ts';
import { erasePersonalData, type HeldImage, heldImages, imagesPastRetention, markImageDeleted } from '../db/erasure.ts';
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

    async deleteImagesPastRetention() {
      const { days, batchSize } = settings.imageRetention;
      const due = await imagesPastRetention(sql, days, batchSize);
      const deleted = await deleteImages(due);
      logger.info({ deleted, retentionDays: days }, 'retention: images deleted');
      return { deleted, more: due.length === batchSize };
    },
  };
}
