/**
 * Consumers of the seed's SQS queues, each runnable two ways: as a long-polling process, and as a Lambda handler
 * answering with a partial batch response. Either way a message is deleted only after its signal succeeded; a message
 * that fails stays on the queue and, after the queue's maxReceiveCount, moves to its dead-letter queue.
 */
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Sql } from '../db/pool.ts';
import { findUser } from '../db/users.ts';
import { normaliseRegistrationNumber } from '../domain/register-numbers.ts';
import type { Logger } from '../logger.ts';
import { type KycClient, signalRegisterResult, signalStepRequested } from './kyc-client.ts';
import { InvalidMessageError, parseQueueMessage, type QueueName } from './queue-messages.ts';

export interface QueueHandlerDeps {
  sql: Sql;
  kyc: KycClient;
}

export type MessageHandler = (body: string, messageId: string) => Promise<void>;

async function requireUser(sql: Sql, userId: number) {
  const user = await findUser(sql, userId);
  if (!user) throw new InvalidMessageError('UNKNOWN_USER', `no user ${userId}`);
  return user;
}

/** What each documented queue turns into: a signal to the user's KycWorkflow. */
export function createQueueHandlers({ sql, kyc }: QueueHandlerDeps): Record<QueueName, MessageHandler> {
  return {
    'reg-check-ingest': async (body) => {
      const result = parseQueueMessage('reg-check-ingest', body);
      await requireUser(sql, result.kyc.userId);
      await signalRegisterResult(kyc, result);
    },
    'face-match': async (body, messageId) => {
      const message = parseQueueMessage('face-match', body);
      await requireUser(sql, message.user_id);
      await signalStepRequested(kyc, message.user_id, { step: 'FACE_MATCH', requestId: messageId });
    },
    'reg-request': async (body, messageId) => {
      const message = parseQueueMessage('reg-request', body);
      const user = await requireUser(sql, message.user_id);
      const regNo = normaliseRegistrationNumber(message.reg_type, message.reg_no);
      if (!regNo.ok) throw new InvalidMessageError('BAD_REG_NO', regNo.message);
      // The register is always checked for the registration on file; a request naming another is refused.
      if (user.regType !== message.reg_type || user.regNo !== regNo.regNo) {
        throw new InvalidMessageError(
          'REGISTRATION_MISMATCH',
          `reg-request does not match user ${user.id}'s registration`,
        );
      }
      await signalStepRequested(kyc, message.user_id, { step: 'REGISTER_CHECK', requestId: messageId });
    },
    decision: async (body, messageId) => {
      const message = parseQueueMessage('decision', body);
      await requireUser(sql, message.user_id);
      await signalStepRequested(kyc, message.user_id, { step: 'DECISION', requestId: messageId });
    },
  };
}

function describeFailure(error: unknown): { code: string; reason: string } {
  return error instanceof InvalidMessageError
    ? { code: error.code, reason: error.message }
    : { code: 'HANDLER_FAILED', reason: (error as Error).message };
}

/** Lambda handler for an SQS event source mapping with ReportBatchItemFailures. */
export function createSqsLambdaHandler(queue: string, handle: MessageHandler, logger: Logger) {
  return async (event: { Records: { messageId: string; body: string }[] }) => {
    const batchItemFailures: { itemIdentifier: string }[] = [];
    for (const record of event.Records) {
      try {
        await handle(record.body, record.messageId);
      } catch (error) {
        logger.warn({ queue, messageId: record.messageId, ...describeFailure(error) }, 'message not processed');
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  };
}

export interface PollingConsumer {
  stop(): Promise<void>;
  /** Resolves when the consumer has stopped. */
  done: Promise<void>;
}

/** Long-polls `queueUrl` until stopped; processes each batch's messages one after another. */
export function startPollingConsumer(options: {
  sqs: SQSClient;
  queue: string;
  queueUrl: string;
  handle: MessageHandler;
  logger: Logger;
  waitTimeSeconds?: number;
}): PollingConsumer {
  const { sqs, queue, queueUrl, handle, logger } = options;
  const abort = new AbortController();
  const done = (async () => {
    while (!abort.signal.aborted) {
      let messages: { MessageId?: string; Body?: string; ReceiptHandle?: string }[] = [];
      try {
        const received = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: options.waitTimeSeconds ?? 20,
          }),
          { abortSignal: abort.signal },
        );
        messages = received.Messages ?? [];
      } catch (error) {
        if (abort.signal.aborted) break;
        logger.error({ err: error, queue }, 'receiving from SQS failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        continue;
      }
      for (const message of messages) {
        const messageId = message.MessageId ?? '';
        try {
          await handle(message.Body ?? '', messageId);
          await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
        } catch (error) {
          logger.warn({ queue, messageId, ...describeFailure(error) }, 'message left for redelivery or the DLQ');
        }
      }
    }
  })();
  return {
    done,
    async stop() {
      abort.abort();
      await done;
    },
  };
}
