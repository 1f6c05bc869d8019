/** CS review over HTTP: the work list and the approve/reject decision, which goes through `submitCsReview`. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { csReviewSchema } from '../../contract/kyc-workflow.ts';
import { listCases } from '../../db/cases.ts';
import { submitCsReview } from '../kyc-client.ts';
import type { HttpDeps } from './deps.ts';
import { HttpError } from './errors.ts';
import { idempotencyKey, parseBody, userIdParam } from './request.ts';

const caseQuerySchema = z.object({
  status: z.enum(['PENDING', 'MANUAL_REVIEW', 'VERIFIED', 'REJECTED', 'EXPIRED']).default('MANUAL_REVIEW'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  after: z.coerce.number().int().min(0).optional(),
});

export function registerCsRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { sql, kyc, requireRole } = deps;

  app.get('/cs/cases', { preHandler: requireRole('cs') }, async (request) => {
    const query = parseBody(caseQuerySchema, request.query);
    const cases = await listCases(sql, {
      status: query.status,
      limit: query.limit,
      ...(query.after !== undefined ? { afterUserId: query.after } : {}),
    });
    return { cases };
  });

  app.post('/cs/cases/:userId/decision', { preHandler: requireRole('cs') }, async (request) => {
    const userId = userIdParam(request.params);
    const review = parseBody(csReviewSchema, request.body);
    const requestId = idempotencyKey(request.headers);
    const result = await submitCsReview(kyc, userId, review, requestId ? { requestId } : {});
    if (!result.accepted) throw new HttpError(409, 'REVIEW_REFUSED', result.reason);
    return { userId, ...result };
  });
}
