/**
 * S3 ObjectCreated events in their three envelopes — a direct S3 notification, SQS messages wrapping one, and
 * EventBridge "Object Created" — reduced to the objects they name, with keys decoded as S3 encodes them.
 */
import { z } from 'zod';

export interface CreatedObject {
  bucket: string;
  key: string;
  etag?: string;
  size?: number;
}

const s3Record = z.object({
  eventSource: z.literal('aws:s3'),
  eventName: z.string().startsWith('ObjectCreated:'),
  s3: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({ key: z.string().min(1), eTag: z.string().optional(), size: z.number().optional() }),
  }),
});

const s3Notification = z.object({ Records: z.array(z.unknown()).min(1) });
/** S3 sends this once when a notification configuration is saved; it names no object. */
const s3TestEvent = z.object({ Event: z.literal('s3:TestEvent') });

const eventBridgeObjectCreated = z.object({
  source: z.literal('aws.s3'),
  'detail-type': z.literal('Object Created'),
  detail: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({ key: z.string().min(1), etag: z.string().optional(), size: z.number().optional() }),
  }),
});

const sqsEvent = z.object({
  Records: z
    .array(z.object({ eventSource: z.literal('aws:sqs'), messageId: z.string().min(1), body: z.string() }))
    .min(1),
});

export type ParsedRecord = { ok: true; object: CreatedObject } | { ok: false; code: string; message: string };

export class S3KeyError extends Error {
  override name = 'S3KeyError';
}

/** S3 notifications carry keys form-encoded: `+` for a space, `%XX` for anything else. */
export function decodeS3Key(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replaceAll('+', ' '));
  } catch {
    throw new S3KeyError('object key is not valid URL encoding');
  }
}

/** The objects an S3 notification names, one entry per record; a TestEvent names none. */
export function parseS3Notification(event: unknown): ParsedRecord[] {
  if (s3TestEvent.safeParse(event).success) return [];
  const notification = s3Notification.safeParse(event);
  if (!notification.success) return [{ ok: false, code: 'NOT_AN_S3_EVENT', message: 'not an S3 event notification' }];
  return notification.data.Records.map((raw): ParsedRecord => {
    const record = s3Record.safeParse(raw);
    if (!record.success) {
      const issue = record.error.issues[0];
      return { ok: false, code: 'BAD_RECORD', message: `S3 record: ${issue?.path.join('.')}: ${issue?.message}` };
    }
    const { bucket, object } = record.data.s3;
    try {
      return {
        ok: true,
        object: {
          bucket: bucket.name,
          key: decodeS3Key(object.key),
          ...(object.eTag ? { etag: object.eTag } : {}),
          ...(object.size !== undefined ? { size: object.size } : {}),
        },
      };
    } catch (error) {
      return { ok: false, code: 'BAD_KEY', message: (error as Error).message };
    }
  });
}

export type BridgeEvent =
  | { kind: 'sqs'; messages: { messageId: string; body: string }[] }
  | { kind: 's3'; records: ParsedRecord[] }
  | { kind: 'eventbridge'; object: CreatedObject }
  | { kind: 'unknown' };

export function classifyEvent(event: unknown): BridgeEvent {
  const sqs = sqsEvent.safeParse(event);
  if (sqs.success) return { kind: 'sqs', messages: sqs.data.Records };
  const bridge = eventBridgeObjectCreated.safeParse(event);
  if (bridge.success) {
    // EventBridge carries keys as they are, not form-encoded.
    const { bucket, object } = bridge.data.detail;
    return {
      kind: 'eventbridge',
      object: {
        bucket: bucket.name,
        key: object.key,
        ...(object.etag ? { etag: object.etag } : {}),
        ...(object.size !== undefined ? { size: object.size } : {}),
      },
    };
  }
  if (s3Notification.safeParse(event).success || s3TestEvent.safeParse(event).success) {
    return { kind: 's3', records: parseS3Notification(event) };
  }
  return { kind: 'unknown' };
}
