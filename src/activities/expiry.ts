/**
 * Seed step 6 (expiry_reminder_lambda), one batch at a time: find the due documents, record each reminder once, email
 * the user and tell the product, and expire what has expired. Each message goes through the notifications outbox,
 * recorded and marked sent a page at a time, so a retried batch does not send twice what it marked.
 */
import { z } from 'zod';
import type { EmailMessage } from '../adapters/email/index.ts';
import type { ExpiryBatchInput, ExpiryBatchResult } from '../contract/activities.ts';
import {
  BAD_DATA_SAMPLE_SIZE,
  type BadDataTally,
  EXPIRY_THRESHOLDS,
  type ReminderDays,
} from '../contract/expiry-workflow.ts';
import {
  type DueDocument,
  documentsWithoutExpiry,
  markOutboxSent,
  type PageMessage,
  recordPage,
  selectDueDocuments,
} from '../db/expiry.ts';
import type { ActivityDeps } from './deps.ts';

/** A due document whose reminder this pass recorded, and so must deliver. */
type OurReminder = DueDocument & { reminderId: number };

/** Messages are independent of each other; a few at a time keeps a batch short without flooding the mail relay. */
const SEND_CONCURRENCY = 8;

const emailAddress = z.email();
const isEmailAddress = (email: string) => emailAddress.safeParse(email).success;

export function createExpiryActivities({
  sql,
  logger,
  email,
  productChannels,
  settings,
}: Pick<ActivityDeps, 'sql' | 'logger' | 'email' | 'productChannels' | 'settings'>) {
  function userEmail(document: DueDocument, idempotencyKey: string): EmailMessage {
    const expired = document.thresholdDays === 0;
    return {
      from: settings.email.from,
      to: document.email,
      subject: expired
        ? 'Action needed: your ID document has expired'
        : `Action needed: your ID document expires on ${document.expiryDate}`,
      text: expired
        ? [
            `The ID document you verified your professional registration with expired on ${document.expiryDate}.`,
            'Your verification is on hold until you upload a new, valid ID document.',
          ].join('\n')
        : [
            `The ID document you verified your professional registration with expires on ${document.expiryDate}.`,
            'Please upload a new, valid ID document before then so that your verification stays current.',
          ].join('\n'),
      messageId: `${idempotencyKey.replaceAll('/', '.')}@kyc`,
    };
  }

  /** What delivers one outbox message of a reminder: the user's email, or the event on a product channel. */
  function sendOf(document: OurReminder, message: PageMessage): () => Promise<void> {
    const { idempotencyKey, channel: channelName } = message;
    if (channelName === 'user-email') return () => email.send(userEmail(document, idempotencyKey));
    const channel = productChannels.find((candidate) => candidate.name === channelName);
    if (!channel) throw new Error(`no product channel ${channelName} for outbox message ${idempotencyKey}`);
    const { idDocumentId, userId, thresholdDays, decisionId } = document;
    const event =
      thresholdDays === 0
        ? { type: 'kyc.document-expired', userId, idDocumentId, decisionId }
        : { type: 'kyc.document-expiring', userId, idDocumentId, decisionId, daysBefore: thresholdDays };
    return () => channel.publish(event, idempotencyKey);
  }

  /**
   * Sends a page's unsent messages, each once, then marks them sent in one statement. A message that went out but
   * whose mark was lost (the worker died mid-page) goes out again on the retry under the same idempotency key and
   * Message-ID, as with a mark per message, only over a page rather than one message.
   */
  async function deliverPage(messages: Array<{ idempotencyKey: string; send: () => Promise<void> }>): Promise<void> {
    const sent: string[] = [];
    try {
      await forEachConcurrently(messages, SEND_CONCURRENCY, async (message) => {
        await message.send();
        sent.push(message.idempotencyKey);
      });
    } finally {
      // Also after a failure: what did go out must not go out again on the retry.
      await markOutboxSent(sql, sent);
    }
  }

  return {
    async countDocumentsWithoutExpiry(): Promise<BadDataTally> {
      const { count, ids } = await documentsWithoutExpiry(sql, BAD_DATA_SAMPLE_SIZE);
      return { count, idDocumentIds: ids };
    },

    async remindExpiringBatch({ passId, asOf, afterIdDocumentId }: ExpiryBatchInput): Promise<ExpiryBatchResult> {
      const limit = settings.expiry.batchSize;
      const page = await selectDueDocuments(sql, {
        passId,
        asOf,
        thresholds: EXPIRY_THRESHOLDS,
        afterIdDocumentId,
        limit,
      });
      const recorded = await recordPage(
        sql,
        passId,
        page.map(({ email, ...document }) => ({ ...document, canEmail: isEmailAddress(email) })),
        productChannels.map((channel) => channel.name),
      );
      const ours = page.flatMap((document) => {
        const reminderId = recorded.reminders.get(document.idDocumentId);
        return reminderId === undefined ? [] : [{ ...document, reminderId }];
      });

      const result: ExpiryBatchResult = {
        lastIdDocumentId: page.at(-1)?.idDocumentId ?? null,
        done: page.length < limit,
        documentsDue: ours.length,
        reminders: { 90: 0, 30: 0, 7: 0 },
        expired: [],
        missingEmail: { count: 0, idDocumentIds: [] },
        missingDecision: { count: 0, idDocumentIds: [] },
      };
      for (const document of ours) {
        if (document.thresholdDays === 0) {
          result.expired.push({ userId: document.userId, idDocumentId: document.idDocumentId });
        } else {
          result.reminders[document.thresholdDays as ReminderDays] += 1;
        }
        if (document.decisionId === null) count(result.missingDecision, document.idDocumentId);
        else if (!isEmailAddress(document.email)) count(result.missingEmail, document.idDocumentId);
      }
      const reminderOf = new Map(ours.map((document) => [document.idDocumentId, document]));
      const messages = recorded.messages
        .filter((message) => !message.sent)
        .map((message) => ({
          idempotencyKey: message.idempotencyKey,
          send: sendOf(reminderOf.get(message.idDocumentId) as OurReminder, message),
        }));
      await deliverPage(messages);
      logger.info(
        {
          passId,
          asOf,
          documentsDue: result.documentsDue,
          reminders: result.reminders,
          expired: result.expired.length,
          missingEmail: result.missingEmail.count,
          missingDecision: result.missingDecision.count,
        },
        'expiry batch done',
      );
      return result;
    },
  };
}

function count(tally: BadDataTally, idDocumentId: number): void {
  tally.count += 1;
  if (tally.idDocumentIds.length < BAD_DATA_SAMPLE_SIZE) tally.idDocumentIds.push(idDocumentId);
}

/**
 * Runs `work` over `items`, `concurrency` at a time. After a failure no new item starts, and the failure is rethrown
 * only once every item under way has settled, so that a retry of the activity never races its own first attempt.
 */
async function forEachConcurrently<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const failures: unknown[] = [];
  const lane = async () => {
    while (failures.length === 0 && next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item).catch((error: unknown) => failures.push(error));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  if (failures.length > 0) throw failures[0];
}
