/** The intake API (the seed's onprem_upload_service): register a user, take their documents, report progress. */
import { randomUUID } from 'node:crypto';
import type { MultipartFile } from '@fastify/multipart';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { KycStatusAnswer } from '../../contract/kyc-status.ts';
import type { DocumentUploaded } from '../../contract/kyc-workflow.ts';
import { upsertIdDocument, upsertSelfie } from '../../db/documents.ts';
import { recordedKycStatus } from '../../db/kyc-status.ts';
import { findUser } from '../../db/users.ts';
import { DOC_TYPES } from '../../domain/doc-types.ts';
import { normaliseRegistrationNumber } from '../../domain/register-numbers.ts';
import { REG_TYPES } from '../../domain/registers.ts';
import { getKycStatus, signalDocumentUploaded, startKycWorkflow } from '../kyc-client.ts';
import type { HttpDeps } from './deps.ts';
import { HttpError } from './errors.ts';
import { refuseUnusableSession, useSessionOrRefuse } from './liveness.ts';
import { REGISTRATION_UNDER_REVIEW, recordRegistrationClaim } from './registration-claims.ts';
import { idempotencyKey, parseBody, userIdParam } from './request.ts';
import { checkImage } from './uploads.ts';

const newUserSchema = z
  .object({
    email: z.email().max(254),
    reg_type: z.enum(REG_TYPES),
    reg_no: z.string().max(50),
  })
  .strict();

const documentFieldsSchema = z.object({
  doc_type: z.enum(DOC_TYPES).optional(),
  liveness_session_id: z.uuid().optional(),
});

const statusQuerySchema = z.object({ live: z.enum(['true', 'false']).default('false') }).strict();

const FILE_PARTS = { id_document: 'ID_DOCUMENT', selfie: 'SELFIE' } as const;

/** The request's Idempotency-Key header, if any; a malformed one is refused rather than ignored. */
export function registerIntakeRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { sql, kyc, store, settings, requireRole } = deps;

  async function sameRegistrationAndEmail(regType: string, regNo: string, email: string) {
    const [existing] = await sql<{ id: number; heldBy: number[] }[]>`
      select me.id, array(select other.id::int from users other
                          where other.reg_type = me.reg_type and other.reg_no = me.reg_no and other.id < me.id
                          order by other.id) as "heldBy"
      from users me where me.reg_type = ${regType} and me.reg_no = ${regNo} and me.email = ${email}`;
    if (!existing) throw new Error('a sign-up conflicted with a user that is not there');
    return existing;
  }

  async function existingUser(userId: number) {
    const user = await findUser(sql, userId);
    if (!user) throw new HttpError(404, 'UNKNOWN_USER', `no user ${userId}`);
    return user;
  }

  app.post('/users', { preHandler: requireRole('intake') }, async (request, reply) => {
    const body = parseBody(newUserSchema, request.body);
    const regNo = normaliseRegistrationNumber(body.reg_type, body.reg_no);
    if (!regNo.ok) throw new HttpError(422, 'BAD_REG_NO', regNo.message);
    const email = body.email.toLowerCase();
    // `heldBy` sees the table as it was before this insert: the users already holding the number.
    const [created] = await sql<{ id: number; heldBy: number[] }[]>`
      insert into users (email, reg_no, reg_type) values (${email}, ${regNo.regNo}, ${body.reg_type})
      on conflict (reg_type, reg_no, email) do nothing
      returning id, array(select id::int from users where reg_type = ${body.reg_type} and reg_no = ${regNo.regNo}
                          order by id) as "heldBy"`;
    // The same request again (a client retry) gets the same user.
    const user = created ?? (await sameRegistrationAndEmail(body.reg_type, regNo.regNo, email));
    const userId = user.id;
    if (user.heldBy.length > 0) await recordRegistrationClaim(sql, userId, user.heldBy);
    await startKycWorkflow(kyc, userId);
    return reply.status(created ? 201 : 200).send({
      id: userId,
      status: 'PENDING',
      workflowId: `kyc-user-${userId}`,
      // Someone else signed up with this number first: one of the two is not who they say, and CS will look.
      ...(user.heldBy.length > 0 ? { registration: REGISTRATION_UNDER_REVIEW } : {}),
    });
  });

  app.post('/users/:id/documents', { preHandler: requireRole('intake') }, async (request, reply) => {
    const userId = userIdParam(request.params);
    // A retry carrying the same Idempotency-Key writes the same objects again, which the workflow sees as duplicates.
    const objectId = idempotencyKey(request.headers) ?? randomUUID();
    // An erased user's workflow is closed for good: an upload would start a new one and store new personal data.
    if ((await existingUser(userId)).status === 'ERASED') {
      throw new HttpError(410, 'USER_ERASED', `user ${userId} was erased`);
    }
    if (!request.isMultipart()) throw new HttpError(415, 'NOT_MULTIPART', 'send multipart/form-data');

    const files: { kind: DocumentUploaded['kind']; bytes: Buffer }[] = [];
    const fields: Record<string, string> = {};
    for await (const part of request.parts({ limits: { fileSize: settings.maxUploadBytes, files: 2, fields: 4 } })) {
      if (part.type === 'field') {
        if (typeof part.value !== 'string') throw new HttpError(400, 'INVALID_FIELD', `${part.fieldname} must be text`);
        fields[part.fieldname] = part.value;
        continue;
      }
      const kind = FILE_PARTS[part.fieldname as keyof typeof FILE_PARTS];
      if (!kind)
        throw new HttpError(
          400,
          'UNKNOWN_PART',
          `unexpected file part ${part.fieldname}; send id_document and/or selfie`,
        );
      if (files.some((file) => file.kind === kind))
        throw new HttpError(400, 'DUPLICATE_PART', `${part.fieldname} sent twice`);
      files.push({ kind, bytes: await readWholeFile(part) });
    }
    const { doc_type: docType, liveness_session_id: livenessSessionId } = parseBody(documentFieldsSchema, fields);
    if (files.length === 0) throw new HttpError(400, 'NO_FILES', 'send an id_document and/or a selfie file');
    if (files.some((file) => file.kind === 'ID_DOCUMENT') && !docType) {
      throw new HttpError(422, 'MISSING_DOC_TYPE', `an id_document needs doc_type (${DOC_TYPES.join(', ')})`);
    }

    // Every file is checked before any is stored, so a half-accepted upload never happens.
    const checked = [];
    for (const file of files) {
      const image = await checkImage(file.bytes, settings.maxUploadPixels);
      if (!image.ok)
        throw new HttpError(422, image.code, `${file.kind === 'SELFIE' ? 'selfie' : 'id_document'}: ${image.message}`);
      const name = file.kind === 'SELFIE' ? 'selfie' : docType;
      checked.push({ ...file, image, key: `${settings.keyPrefix}${userId}/${objectId}-${name}.${image.extension}` });
    }
    const selfieKey = checked.find((file) => file.kind === 'SELFIE')?.key;
    if (livenessSessionId && selfieKey) {
      await refuseUnusableSession(sql, { userId, sessionId: livenessSessionId, selfieKey });
    }

    const uploads = [];
    for (const { kind, bytes, image, key } of checked) {
      // The row comes first: the S3 bridge may see the object's event before put() returns, and classifies the
      // object (and finds its liveness session) by this row.
      let idDocumentId: number | undefined;
      if (kind === 'ID_DOCUMENT') {
        idDocumentId = await upsertIdDocument(sql, { userId, key, docType: docType as string });
      } else {
        const selfieId = await upsertSelfie(sql, { userId, key, ...(livenessSessionId ? { livenessSessionId } : {}) });
        if (livenessSessionId) await useSessionOrRefuse(sql, { userId, selfieId, sessionId: livenessSessionId });
      }
      await store.put({ bucket: settings.bucket, key }, bytes, image.mime);
      const upload: DocumentUploaded = {
        kind,
        bucket: settings.bucket,
        key,
        ...(kind === 'ID_DOCUMENT' && docType ? { docType } : {}),
        ...(kind === 'SELFIE' && livenessSessionId ? { livenessSessionId } : {}),
      };
      if (settings.intakeSignal === 'direct') await signalDocumentUploaded(kyc, userId, upload);
      uploads.push({ kind, key, ...(idDocumentId ? { idDocumentId } : {}) });
    }
    return reply.status(202).send({ userId, uploads });
  });

  /**
   * The status from PostgreSQL, which costs no Temporal Action; `?live=true` asks the workflow's query, for what only
   * the running workflow holds (src/contract/kyc-status.ts names it).
   */
  app.get(
    '/users/:id/kyc',
    { preHandler: requireRole('intake', 'cs', 'cs-lead', 'ops') },
    async (request): Promise<KycStatusAnswer> => {
      const userId = userIdParam(request.params);
      const query = statusQuerySchema.safeParse(request.query ?? {});
      if (!query.success) throw new HttpError(400, 'BAD_QUERY', 'the only option is live=true|false');
      if (query.data.live === 'false') {
        const recorded = await recordedKycStatus(sql, userId);
        if (!recorded) throw new HttpError(404, 'UNKNOWN_USER', `no user ${userId}`);
        return recorded;
      }
      await existingUser(userId);
      try {
        return { source: 'workflow', ...(await getKycStatus(kyc, userId)) };
      } catch (error) {
        if (error instanceof WorkflowNotFoundError)
          throw new HttpError(404, 'NO_WORKFLOW', `no KYC workflow for user ${userId}`);
        throw error;
      }
    },
  );
}

async function readWholeFile(part: MultipartFile): Promise<Buffer> {
  const bytes = await part.toBuffer();
  if (part.file.truncated) throw new HttpError(413, 'FILE_TOO_LARGE', `${part.fieldname} is over the size limit`);
  return bytes;
}
