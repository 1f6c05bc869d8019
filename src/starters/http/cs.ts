/**
 * CS review over HTTP: the work list, the approve/reject decision (through `submitCsReview`), and — for CS leads —
 * a case's audit trail. The reviewer the workflow records is the signed-in person, never a name from the body.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { listCases } from '../../db/cases.ts';
import { findUser } from '../../db/users.ts';
import { auditEventsForCase } from '../../identity/index.ts';
import { submitCsReview } from '../kyc-client.ts';
import { identityOf } from './auth.ts';
import type { HttpDeps } from './deps.ts';
import { HttpError } from './errors.ts';
import { idempotencyKey, parseBody, userIdParam } from './request.ts';

const caseQuerySchema = z.object({
  status: z.enum(['PENDING', 'MANUAL_REVIEW', 'VERIFIED', 'REJECTED', 'EXPIRED']).default('MANUAL_REVIEW'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  after: z.coerce.number().int().min(0).optional(),
});

/** The decision as sent: no `reviewer`, which comes from the sign-in. */
const decisionBodySchema = z
  .object({
    decision: z.enum(['PASS', 'FAIL']),
    note: z.string().max(2000).optional(),
    reviewer: z.never({ error: 'the reviewer is the signed-in person; leave it out of the body' }).optional(),
  })
  .strict();

export function registerCsRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { sql, kyc, requireRole } = deps;

  async function existingCase(userId: number) {
    if (!(await findUser(sql, userId))) throw new HttpError(404, 'UNKNOWN_USER', `no user ${userId}`);
  }

  app.get('/cs/cases', { preHandler: requireRole('cs', 'cs-lead') }, async (request) => {
    const query = parseBody(caseQuerySchema, request.query);
    const cases = await listCases(sql, {
      status: query.status,
      limit: query.limit,
      ...(query.after !== undefined ? { afterUserId: query.after } : {}),
    });
    return { cases };
  });

  app.post('/cs/cases/:userId/decision', { preHandler: requireRole('cs', 'cs-lead') }, async (request) => {
    const userId = userIdParam(request.params);
    const body = parseBody(decisionBodySchema, request.body);
    const requestId = idempotencyKey(request.headers);
    await existingCase(userId);
    const reviewer = identityOf(request).subject;
    request.auditDetail = { decision: body.decision, reviewer };
    let result: Awaited<ReturnType<typeof submitCsReview>>;
    try {
      result = await submitCsReview(
        kyc,
        userId,
        { decision: body.decision, reviewer, ...(body.note !== undefined ? { note: body.note } : {}) },
        requestId ? { requestId } : {},
      );
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) {
        throw new HttpError(404, 'NO_WORKFLOW', `no KYC workflow for user ${userId}`);
      }
      throw error;
    }
    if (!result.accepted) throw new HttpError(409, 'REVIEW_REFUSED', result.reason);
    request.auditDetail = { ...request.auditDetail, decisionId: result.decisionId };
    return { userId, ...result };
  });

  app.get('/cs/cases/:userId/audit', { preHandler: requireRole('cs-lead') }, async (request) => {
    const userId = userIdParam(request.params);
    await existingCase(userId);
    return { userId, events: await auditEventsForCase(sql, userId) };
  });
}
