/**
 * Compliance over HTTP (README, Compliance): the evidence pack of one worker, for CS leads and ops. Every pack handed
 * out is audited with the hashes of what it said, so a copy shown later can be checked against the trail.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { produceEvidencePack } from '../../compliance/evidence.ts';
import { identityOf } from './auth.ts';
import type { HttpDeps } from './deps.ts';
import { HttpError } from './errors.ts';
import { userIdParam } from './request.ts';

const evidenceQuerySchema = z.object({ images: z.enum(['true', 'false']).default('false') }).strict();

export function registerComplianceRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { sql, store, settings, requireRole } = deps;

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
}
