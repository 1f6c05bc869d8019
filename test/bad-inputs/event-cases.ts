/** Bad input at the S3 bridge (direct S3, SQS-wrapped and EventBridge events) and on the seed's four queues. */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createLogger } from '../../src/logger.ts';
import { createQueueHandlers } from '../../src/starters/queue-consumer.ts';
import type { QueueName } from '../../src/starters/queue-messages.ts';
import { createS3Bridge } from '../../src/starters/s3-bridge.ts';
import type { LocalQueue } from '../support/aws-local.ts';
import { BUCKET } from '../support/kyc-harness.ts';
import type { BadInputCase, CorpusContext, Observed } from './corpus.ts';

function s3Record(bucket: string, key: string, overrides: Record<string, unknown> = {}) {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'eu-west-2',
    eventTime: '2026-11-25T10:00:00.000Z',
    eventName: 'ObjectCreated:Put',
    s3: {
      s3SchemaVersion: '1.0',
      bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
      object: { key, size: 2048, eTag: '0cc175b9c0f1b6a831c399e269772661' },
    },
    ...overrides,
  };
}

function bridgeFor(context: CorpusContext) {
  return createS3Bridge({
    sql: context.h.db.sql,
    kyc: context.h.kyc,
    bucket: BUCKET,
    prefix: 'kyc-raw/',
    logger: createLogger({ level: 'silent' }),
  });
}

/** Runs a direct S3 event and reports its first refused record. */
async function directS3(context: CorpusContext, event: unknown): Promise<Observed> {
  const response = await bridgeFor(context).handle(event);
  if (!('records' in response)) return { kind: 'accepted', detail: 'answered as SQS' };
  const refused = response.records.find((record) => !record.ok);
  return refused && !refused.ok
    ? { kind: 'record-failure', code: refused.code }
    : { kind: 'accepted', detail: 'all records bridged' };
}

const s3Case = (name: string, event: (context: CorpusContext) => unknown, code: string): BadInputCase => ({
  door: 'S3 event',
  name,
  expect: { kind: 'record-failure', code },
  run: (context) => directS3(context, event(context)),
});

const userKey = (context: CorpusContext, file: string) => `kyc-raw/${context.decidedUserId}/${file}`;

/** Runs one message through a queue's Lambda handler and reports whether it was refused, and why. */
async function throughHandler(context: CorpusContext, queue: QueueName, body: string): Promise<Observed> {
  const handle = createQueueHandlers({ sql: context.h.db.sql, kyc: context.h.kyc })[queue];
  try {
    await handle(body, `corpus-${crypto.randomUUID()}`);
    return { kind: 'accepted', detail: `${queue} message signalled` };
  } catch (error) {
    return { kind: 'message-refused', code: (error as { code?: string }).code ?? 'UNCLASSIFIED' };
  }
}

const queueCase = (
  queue: QueueName,
  name: string,
  body: (context: CorpusContext) => unknown,
  code: string,
): BadInputCase => ({
  door: `SQS ${queue}`,
  name,
  expect: { kind: 'message-refused', code },
  run: (context) => {
    const value = body(context);
    return throughHandler(context, queue, typeof value === 'string' ? value : JSON.stringify(value));
  },
});

/** Sends a message to the real queue, whose consumer refuses it until SQS moves it to the dead-letter queue. */
const deadLetterCase = (queue: LocalQueue, name: string, body: string): BadInputCase => ({
  door: `SQS ${queue} (real queue)`,
  name,
  expect: { kind: 'dead-lettered', queue },
  async run(context) {
    const marked = body.replace('MARKER', crypto.randomUUID());
    await context.aws.sqs.send(new SendMessageCommand({ QueueUrl: context.aws.queueUrls[queue], MessageBody: marked }));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const letters = await context.aws.deadLetters(queue);
      if (letters.some((letter) => letter.body === marked)) return { kind: 'dead-lettered', queue };
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    return { kind: 'accepted', detail: 'never reached the dead-letter queue' };
  },
});

const apifyBody = (userId: number) => ({
  userId: 'apify-user',
  createdAt: '2026-11-25T10:00:00.000Z',
  eventType: 'ACTOR.RUN.SUCCEEDED',
  eventData: { actorId: 'kyc~gmc-register', actorRunId: 'run-1' },
  resource: { id: 'run-1', status: 'SUCCEEDED' },
  kyc: { userId, cycleId: '4d8f1b8e-1f7a-4c55-9b3c-2f0e6f1a7c10' },
});

export const eventCases: BadInputCase[] = [
  s3Case(
    'an object in another bucket',
    (c) => ({ Records: [s3Record('someone-elses-bucket', userKey(c, 'passport.jpg'))] }),
    'FOREIGN_BUCKET',
  ),
  s3Case(
    'a key outside kyc-raw/',
    (c) => ({ Records: [s3Record(BUCKET, `tmp/${c.decidedUserId}/passport.jpg`)] }),
    'FOREIGN_PREFIX',
  ),
  s3Case(
    'a non-numeric user segment',
    () => ({ Records: [s3Record(BUCKET, 'kyc-raw/jane/passport.jpg')] }),
    'BAD_USER_ID',
  ),
  s3Case('a user id of zero', () => ({ Records: [s3Record(BUCKET, 'kyc-raw/0/passport.jpg')] }), 'BAD_USER_ID'),
  s3Case(
    'a key naming only the user folder',
    (c) => ({ Records: [s3Record(BUCKET, `kyc-raw/${c.decidedUserId}/`)] }),
    'BAD_USER_ID',
  ),
  s3Case(
    'a user id of 40 digits',
    () => ({ Records: [s3Record(BUCKET, `kyc-raw/${'9'.repeat(40)}/passport.jpg`)] }),
    'BAD_USER_ID',
  ),
  s3Case('an unknown user', () => ({ Records: [s3Record(BUCKET, 'kyc-raw/987654321/passport.jpg')] }), 'UNKNOWN_USER'),
  s3Case(
    'a key with a broken %-escape',
    (c) => ({ Records: [s3Record(BUCKET, `kyc-raw%2F${c.decidedUserId}%2Fpass%ZZport.jpg`)] }),
    'BAD_KEY',
  ),
  s3Case(
    'an encoded path traversal',
    (c) => ({ Records: [s3Record(BUCKET, `kyc-raw%2F..%2F${c.decidedUserId}%2Fpassport.jpg`)] }),
    'BAD_USER_ID',
  ),
  s3Case(
    'a record without its s3 section',
    () => ({ Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put' }] }),
    'BAD_RECORD',
  ),
  s3Case(
    'an ObjectRemoved event',
    (c) => ({ Records: [s3Record(BUCKET, userKey(c, 'selfie.jpg'), { eventName: 'ObjectRemoved:Delete' })] }),
    'BAD_RECORD',
  ),
  s3Case(
    'a record from another service',
    (c) => ({ Records: [s3Record(BUCKET, userKey(c, 'selfie.jpg'), { eventSource: 'aws:sns' })] }),
    'BAD_RECORD',
  ),
  s3Case('an event that is nothing AWS sends', () => ({ hello: 'world' }), 'UNKNOWN_EVENT'),
  s3Case('an empty Records list', () => ({ Records: [] }), 'UNKNOWN_EVENT'),
  s3Case(
    'an EventBridge event for another bucket',
    (c) => ({
      source: 'aws.s3',
      'detail-type': 'Object Created',
      detail: { bucket: { name: 'other' }, object: { key: userKey(c, 'passport.jpg'), size: 10, etag: 'x' } },
    }),
    'FOREIGN_BUCKET',
  ),
  {
    door: 'S3 event (SQS-wrapped)',
    name: 'a batch of one good and one bad message fails only the bad one',
    expect: { kind: 'record-failure', code: 'bad' },
    async run(context) {
      const message = (messageId: string, body: string) => ({ messageId, body, eventSource: 'aws:sqs' });
      const response = await bridgeFor(context).handle({
        Records: [
          message(
            'good',
            JSON.stringify({ Records: [s3Record(BUCKET, `kyc-raw/${context.bystanderUserId}/selfie.jpg`)] }),
          ),
          message('bad', '{"Records": [truncated'),
        ],
      });
      if (!('batchItemFailures' in response)) return { kind: 'accepted', detail: 'not answered as a batch' };
      const failed = response.batchItemFailures.map((failure) => failure.itemIdentifier);
      return failed.length === 1 && failed[0] === 'bad'
        ? { kind: 'record-failure', code: 'bad' }
        : { kind: 'accepted', detail: `failed ${failed.join()}` };
    },
  },
  // The seed's queues, through their handlers
  queueCase('face-match', 'a body that is not JSON', () => 'user_id=42', 'NOT_JSON'),
  queueCase('face-match', 'a user id that is a word', () => ({ user_id: 'forty-two' }), 'INVALID_PAYLOAD'),
  queueCase('face-match', 'a negative user id', () => ({ user_id: -1 }), 'INVALID_PAYLOAD'),
  queueCase('face-match', 'an unknown user', () => ({ user_id: 31337 }), 'UNKNOWN_USER'),
  queueCase(
    'face-match',
    'an extra field',
    (c) => ({ user_id: c.decidedUserId, selfie: 'data:image/jpeg;base64,AAAA' }),
    'INVALID_PAYLOAD',
  ),
  queueCase(
    'reg-request',
    'no registration number',
    (c) => ({ user_id: c.decidedUserId, reg_type: 'GMC' }),
    'INVALID_PAYLOAD',
  ),
  queueCase(
    'reg-request',
    'a register the service does not know',
    (c) => ({ user_id: c.decidedUserId, reg_type: 'HCPC', reg_no: '1234567' }),
    'INVALID_PAYLOAD',
  ),
  queueCase(
    'reg-request',
    'a malformed GMC number',
    (c) => ({ user_id: c.decidedUserId, reg_type: 'GMC', reg_no: '12' }),
    'BAD_REG_NO',
  ),
  queueCase(
    'reg-request',
    "someone else's registration",
    (c) => ({ user_id: c.decidedUserId, reg_type: 'GMC', reg_no: '1111111' }),
    'REGISTRATION_MISMATCH',
  ),
  queueCase(
    'reg-request',
    'a 10,000-character registration number',
    (c) => ({ user_id: c.decidedUserId, reg_type: 'GMC', reg_no: '7'.repeat(10_000) }),
    'INVALID_PAYLOAD',
  ),
  queueCase('decision', 'an empty object', () => ({}), 'INVALID_PAYLOAD'),
  queueCase('decision', 'a JSON array', (c) => [c.decidedUserId], 'INVALID_PAYLOAD'),
  queueCase('decision', 'null', () => 'null', 'INVALID_PAYLOAD'),
  queueCase('decision', 'an unknown user', () => ({ user_id: '123456789' }), 'UNKNOWN_USER'),
  queueCase(
    'reg-check-ingest',
    'a webhook without the kyc tag',
    (c) => ({ ...apifyBody(c.decidedUserId), kyc: undefined }),
    'INVALID_PAYLOAD',
  ),
  queueCase('reg-check-ingest', 'a webhook for an unknown user', () => apifyBody(424242), 'UNKNOWN_USER'),
  queueCase(
    'reg-check-ingest',
    'a truncated webhook',
    () => '{"userId":"apify","eventType":"ACTOR.RUN.SUC',
    'NOT_JSON',
  ),
  queueCase(
    'reg-check-ingest',
    'an unknown event type',
    (c) => ({ ...apifyBody(c.decidedUserId), eventType: 'ACTOR.RUN.CREATED' }),
    'INVALID_PAYLOAD',
  ),
  // The same, through real queues with redrive: refused messages end in the DLQ instead of looping.
  deadLetterCase('face-match', 'a poison face-match message', '{"user_id": "MARKER"}'),
  deadLetterCase('decision', 'a poison decision message', 'not json MARKER'),
  deadLetterCase('reg-check-ingest', 'a poison reg-check-ingest message', '{"eventType": "MARKER"}'),
  deadLetterCase('s3-events', 'a poison S3 event message', '{"Records": [{"eventSource": "MARKER"}]}'),
];
