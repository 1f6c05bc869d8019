/**
 * The seed's queue payloads, validated before anything acts on them. Producers that predate the workflow still send
 * these; each becomes a signal to the user's KycWorkflow.
 */
import { z } from 'zod';
import { registerResultSchema, userIdSchema } from '../contract/kyc-workflow.ts';
import { REG_TYPES } from '../domain/registers.ts';

/** SQS message bodies are JSON text; user ids sometimes arrive as numeric strings from older producers. */
const userId = z
  .union([
    userIdSchema,
    z
      .string()
      .regex(/^[1-9]\d{0,15}$/)
      .transform(Number),
  ])
  .pipe(userIdSchema);

export const QUEUES = {
  'face-match': z.object({ user_id: userId }).strict(),
  'reg-request': z
    .object({ user_id: userId, reg_type: z.enum(REG_TYPES), reg_no: z.string().trim().min(1).max(50) })
    .strict(),
  'reg-check-ingest': registerResultSchema,
  decision: z.object({ user_id: userId }).strict(),
} as const;

export type QueueName = keyof typeof QUEUES;
export const QUEUE_NAMES = Object.keys(QUEUES) as QueueName[];

export type QueueMessage<Q extends QueueName> = z.infer<(typeof QUEUES)[Q]>;

export class InvalidMessageError extends Error {
  override name = 'InvalidMessageError';
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** Parses a message body for `queue`, or throws InvalidMessageError saying which field is wrong (never its value). */
export function parseQueueMessage<Q extends QueueName>(queue: Q, body: string): QueueMessage<Q> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new InvalidMessageError('NOT_JSON', `${queue} message body is not JSON`);
  }
  const parsed = QUEUES[queue].safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidMessageError(
      'INVALID_PAYLOAD',
      `${queue} message: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    );
  }
  return parsed.data as QueueMessage<Q>;
}
