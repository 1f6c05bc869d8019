/**
 * The outbound mirror: the messages the seed's Lambdas used to put on the documented queues, published at the same
 * points of the flow for consumers that still read them. Off unless a mirror queue is configured.
 */
import type { QueuePublisher } from '../adapters/sqs/index.ts';
import type { Sql } from '../db/pool.ts';
import { getUser } from '../db/users.ts';

export type MirroredQueue = 'face-match' | 'reg-request' | 'decision';

export interface QueueMirror {
  publisher: QueuePublisher;
  queueUrls: Partial<Record<MirroredQueue, string>>;
}

export function createMirrorPublisher(sql: Sql, mirror: QueueMirror | null) {
  async function publish(queue: MirroredQueue, userId: number, deduplicationId: string): Promise<void> {
    const queueUrl = mirror?.queueUrls[queue];
    if (!mirror || !queueUrl) return;
    const body =
      queue === 'reg-request'
        ? await getUser(sql, userId).then((user) => ({ reg_type: user.regType, reg_no: user.regNo, user_id: userId }))
        : { user_id: userId };
    await mirror.publisher.send(queueUrl, body, deduplicationId);
  }

  return {
    /** doc_scan_lambda's outputs: the face match and the register request. */
    async documentScanned(userId: number, cycleId: string) {
      await publish('face-match', userId, `${cycleId}-face-match`);
      await publish('reg-request', userId, `${cycleId}-reg-request`);
    },
    /** face_match_lambda's and reg_check_lambda's output: the user is ready for a decision. */
    async checkRecorded(userId: number, cycleId: string, check: 'face' | 'register') {
      await publish('decision', userId, `${cycleId}-decision-${check}`);
    },
  };
}
