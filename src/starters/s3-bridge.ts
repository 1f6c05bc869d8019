/**
 * The S3 ObjectCreated bridge (the seed's trigger of doc_scan_lambda): each object under `kyc-raw/<userId>/` becomes
 * a `documentUploaded` signal-with-start to that user's KycWorkflow. Bad records are reported one by one; in SQS mode
 * the answer is a partial batch response, so only the bad messages are retried and end in the dead-letter queue.
 */

import type { DocumentUploaded } from '../contract/kyc-workflow.ts';
import type { Sql } from '../db/pool.ts';
import { findUser } from '../db/users.ts';
import { docTypeFromFileName, isDocType } from '../domain/doc-types.ts';
import type { Logger } from '../logger.ts';
import { type KycClient, signalDocumentUploaded } from './kyc-client.ts';
import { createSqsLambdaHandler } from './queue-consumer.ts';
import { InvalidMessageError } from './queue-messages.ts';
import { type CreatedObject, classifyEvent, type ParsedRecord, parseS3Notification } from './s3-events.ts';

export interface S3BridgeDeps {
  sql: Sql;
  kyc: KycClient;
  bucket: string;
  /** e.g. `kyc-raw/` */
  prefix: string;
  logger: Logger;
}

export type RecordOutcome =
  | { ok: true; userId: number; kind: DocumentUploaded['kind'] }
  | { ok: false; code: string; message: string };

export type S3BridgeResponse = { batchItemFailures: { itemIdentifier: string }[] } | { records: RecordOutcome[] };

export function createS3Bridge(deps: S3BridgeDeps) {
  const { sql, kyc, bucket, prefix, logger } = deps;

  /** What the intake API recorded for this object, else what its file name says. */
  async function classify(
    userId: number,
    key: string,
  ): Promise<Pick<DocumentUploaded, 'kind' | 'docType' | 'livenessSessionId'>> {
    const [known] = await sql<{ docType: string | null; livenessSessionId: string | null }[]>`
      select doc_type as "docType", null as "livenessSessionId" from id_documents where user_id = ${userId} and s3_key_original = ${key}
      union all
      select null, liveness_session_id from selfies where user_id = ${userId} and s3_key = ${key}
      limit 1`;
    if (known && known.docType === null) {
      return { kind: 'SELFIE', ...(known.livenessSessionId ? { livenessSessionId: known.livenessSessionId } : {}) };
    }
    const docType = docTypeFromFileName(key) ?? (isDocType(known?.docType) ? known.docType : null);
    if (known || docType) return { kind: 'ID_DOCUMENT', ...(docType ? { docType } : {}) };
    return { kind: 'SELFIE' };
  }

  async function bridgeObject(object: CreatedObject): Promise<RecordOutcome> {
    if (object.bucket !== bucket) return { ok: false, code: 'FOREIGN_BUCKET', message: 'object is in another bucket' };
    if (!object.key.startsWith(prefix)) {
      return { ok: false, code: 'FOREIGN_PREFIX', message: `key is outside ${prefix}` };
    }
    const [userPart, ...rest] = object.key.slice(prefix.length).split('/');
    if (!userPart || !/^[1-9]\d{0,15}$/.test(userPart) || rest.join('/') === '') {
      return { ok: false, code: 'BAD_USER_ID', message: `key must be ${prefix}<numeric user id>/<file>` };
    }
    const userId = Number(userPart);
    const user = await findUser(sql, userId);
    if (!user) return { ok: false, code: 'UNKNOWN_USER', message: `no user ${userId}` };
    if (user.status === 'ERASED') return { ok: false, code: 'USER_ERASED', message: `user ${userId} was erased` };
    const classified = await classify(userId, object.key);
    await signalDocumentUploaded(kyc, userId, {
      ...classified,
      bucket: object.bucket,
      key: object.key,
      ...(object.etag ? { etag: object.etag } : {}),
    });
    logger.info({ userId, kind: classified.kind }, 'upload signalled');
    return { ok: true, userId, kind: classified.kind };
  }

  async function bridgeRecords(records: ParsedRecord[]): Promise<RecordOutcome[]> {
    const outcomes: RecordOutcome[] = [];
    for (const record of records) {
      const outcome = record.ok ? await bridgeObject(record.object) : record;
      if (!outcome.ok) logger.warn({ code: outcome.code, reason: outcome.message }, 'S3 record refused');
      outcomes.push(outcome);
    }
    return outcomes;
  }

  /** One SQS message wrapping an S3 notification; throws when any of its records is refused or fails. */
  async function handleMessage(body: string): Promise<void> {
    let notification: unknown;
    try {
      notification = JSON.parse(body);
    } catch {
      throw new InvalidMessageError('NOT_JSON', 'S3 event message body is not JSON');
    }
    const refused = (await bridgeRecords(parseS3Notification(notification))).find((outcome) => !outcome.ok);
    if (refused && !refused.ok) throw new InvalidMessageError(refused.code, refused.message);
  }

  const handleSqsEvent = createSqsLambdaHandler('s3-events', handleMessage, logger);

  return {
    bridgeObject,
    handleMessage,
    async handle(event: unknown): Promise<S3BridgeResponse> {
      const classified = classifyEvent(event);
      switch (classified.kind) {
        case 'sqs':
          return await handleSqsEvent({ Records: classified.messages });
        case 's3':
          return { records: await bridgeRecords(classified.records) };
        case 'eventbridge':
          return { records: [await bridgeObject(classified.object)] };
        case 'unknown':
          return { records: [{ ok: false, code: 'UNKNOWN_EVENT', message: 'not an S3, SQS or EventBridge event' }] };
      }
    },
  };
}
