/**
 * Compliance over HTTP (README, Compliance): the evidence pack of one worker, for CS leads and ops (every pack handed
 * out is audited with the hashes of what it said, so a copy shown later can be checked against the trail); erasure
 * and subject access, for ops. The audit trail records each request under the signed-in person.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { produceEvidencePack } from '../../compliance/evidence.ts';
import { subjectAccessRows } from '../../db/erasure.ts';
import { findUser } from '../../db/users.ts';
import { getKycStatus, startErasure } from '../kyc-client.ts';
import { identityOf } from './auth.ts';
import type { HttpDeps } from './deps.ts';
import { HttpError } from './errors.ts';
import { userIdParam } from './request.ts';

const evidenceQuerySchema = z.object({ images: z.enum(['true', 'false']).default('false') }).strict();

export function registerComplianceRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { sql, store, settings, requireRole, kyc } = deps;

  app.get(
    '/compliance/users/:userId/evidence',
    { preHandler: requireRole('cs-lead', 'ops') },
    async (request, reply) => {
      const userId = userIdParam(request.params);
      const query = evidenceQuerySchema.safeParse(request.query ?? {});
      if (!query.success) throw new HttpError(400, 'BAD_QUERY', 'the only option is images=true|false');
      const identity = identityOf(request);
      const pack = await produceEvidencePack(
        { sql, store, bucket: settings.bucket },
        {
          userId,
          withImages: query.data.images === 'true',
          requestedBy: `${identity.displayName} (${identity.subject})`,
        },
      );
      if (!pack) throw new HttpError(404, 'USER_NOT_FOUND', `no user ${userId}`);
      request.auditDetail = {
        evidencePack: { contentSha256: pack.contentSha256, fileSha256: pack.fileSha256, images: pack.withImages },
      };
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `attachment; filename="evidence-user-${userId}.pdf"`)
        .header('x-content-sha256', pack.contentSha256)
        .send(pack.pdf);
    },
  );

  app.post('/ops/users/:userId/erasure', { preHandler: requireRole('ops') }, async (request, reply) => {
    const userId = userIdParam(request.params);
    if (request.body !== undefined && request.body !== null && Object.keys(request.body).length > 0) {
      throw new HttpError(400, 'INVALID_BODY', 'an erasure request takes no body: the user is in the path');
    }
    if (!(await findUser(sql, userId))) throw new HttpError(404, 'USER_NOT_FOUND', `no user ${userId}`);
    const started = await startErasure(kyc, userId, identityOf(request).subject);
    request.auditDetail = { erasure: started };
    return reply.status(202).send({ userId, ...started });
  });

  app.get('/users/:userId/export', { preHandler: requireRole('ops') }, async (request) => {
    const userId = userIdParam(request.params);
    const tables = await subjectAccessRows(sql, userId);
    if (!tables) throw new HttpError(404, 'USER_NOT_FOUND', `no user ${userId}`);
    const workflow = await getKycStatus(kyc, userId).catch(() => null);
    request.auditDetail = { subjectAccess: { tables: Object.keys(tables).length } };
    const images = [...(tables.id_documents ?? []), ...(tables.selfies ?? [])] as {
      s3_key_original?: string;
      s3_key?: string;
      image_deleted_at: Date | null;
    }[];
    return {
      userId,
      exportedAt: new Date().toISOString(),
      database: withBytesAsHex(tables),
      objectStore: {
        bucket: settings.bucket,
        heldImages: images
          .filter((row) => row.image_deleted_at === null)
          .map((row) => row.s3_key_original ?? row.s3_key),
      },
      kycWorkflow: workflow,
    };
  });
}

/** Byte columns (identity fingerprints) as hex, not as JSON's array of numbers. */
function withBytesAsHex(tables: Record<string, readonly unknown[]>): Record<string, unknown[]> {
  return Object.fromEntries(
    Object.entries(tables).map(([table, rows]) => [
      table,
      rows.map((row) =>
        Object.fromEntries(
          Object.entries(row as Record<string, unknown>).map(([column, value]) => [
            column,
            Buffer.isBuffer(value) ? `\\x${value.toString('hex')}` : value,
          ]),
        ),
      ),
    ]),
  );
}
