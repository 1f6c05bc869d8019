/** Ops over HTTP: resume a case that a step gave up on (stage NEEDS_ATTENTION) with the `retryStep` update. */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { retryStep } from '../kyc-client.ts';
import { identityOf } from './auth.ts';
import type { HttpDeps } from './deps.ts';
import { HttpError } from './errors.ts';
import { parseBody, userIdParam } from './request.ts';

const retryBodySchema = z.object({ note: z.string().max(2000).optional() }).strict();

export function registerOpsRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { kyc, requireRole } = deps;

  app.post('/ops/cases/:userId/retry', { preHandler: requireRole('ops') }, async (request) => {
    const userId = userIdParam(request.params);
    const body = parseBody(retryBodySchema, request.body ?? {});
    // The operator is the signed-in ops person, never a name from the body.
    const operator = identityOf(request).subject;
    request.auditDetail = { step: 'retry', ...(body.note !== undefined ? { note: body.note } : {}) };
    const result = await retryStep(kyc, userId, { operator, ...body }).catch((error: unknown) => {
      if (error instanceof WorkflowNotFoundError)
        throw new HttpError(404, 'CASE_NOT_FOUND', `no case for user ${userId}`);
      throw error;
    });
    if (!result.accepted) throw new HttpError(409, 'RETRY_REFUSED', result.reason);
    request.auditDetail = { ...request.auditDetail, retriedStep: result.step };
    return { userId, ...result };
  });
}
