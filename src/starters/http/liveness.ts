/**
 * Face Liveness sessions at the door: created for one user and recorded (`POST /users/:id/liveness-session`), and
 * checked when an upload names one, so a session of another user, one already used or one past Rekognition's
 * 3-minute validity is refused with a clear 4xx before anything is stored.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { PermanentAdapterError } from '../../adapters/errors.ts';
import { recordLivenessSession, useLivenessSession, whyUnusableForUpload } from '../../db/liveness-sessions.ts';
import { findUser } from '../../db/users.ts';
import type { LivenessSessionRefusal } from '../../domain/outcomes.ts';
import type { HttpDeps } from './deps.ts';
import { HttpError } from './errors.ts';
import { userIdParam } from './request.ts';

const REFUSALS: Record<LivenessSessionRefusal, { status: number; code: string; message: string }> = {
  UNKNOWN: {
    status: 422,
    code: 'LIVENESS_SESSION_UNKNOWN',
    message: 'this service created no such liveness session; create one with POST /users/:id/liveness-session',
  },
  OTHER_USER: {
    status: 403,
    code: 'LIVENESS_SESSION_OTHER_USER',
    message: 'that liveness session was created for another user',
  },
  ALREADY_USED: {
    status: 409,
    code: 'LIVENESS_SESSION_USED',
    message: 'that liveness session was already used with another selfie; create a new one',
  },
  EXPIRED: {
    status: 410,
    code: 'LIVENESS_SESSION_EXPIRED',
    message: 'that liveness session is older than 3 minutes; create a new one',
  },
};

export function registerLivenessRoutes(app: FastifyInstance, { sql, liveness, requireRole }: HttpDeps): void {
  app.post('/users/:id/liveness-session', { preHandler: requireRole('intake') }, async (request, reply) => {
    const userId = userIdParam(request.params);
    if (!(await findUser(sql, userId))) throw new HttpError(404, 'UNKNOWN_USER', `no user ${userId}`);
    let sessionId: string;
    try {
      ({ sessionId } = await liveness.createSession(randomUUID()));
    } catch (error) {
      if (error instanceof PermanentAdapterError) throw new HttpError(503, 'LIVENESS_UNAVAILABLE', error.message);
      throw error;
    }
    await recordLivenessSession(sql, { sessionId, userId });
    return reply.status(201).send({ userId, sessionId });
  });
}

/** Before an upload stores anything: refuses it when its liveness session is not the uploader's to use. */
export async function refuseUnusableSession(
  sql: HttpDeps['sql'],
  use: { userId: number; sessionId: string; selfieKey: string },
): Promise<void> {
  refuse(await whyUnusableForUpload(sql, use));
}

/** Marks the session used by the selfie just recorded; refuses the upload if another took it meanwhile. */
export async function useSessionOrRefuse(
  sql: HttpDeps['sql'],
  use: { userId: number; selfieId: number; sessionId: string },
): Promise<void> {
  refuse(await useLivenessSession(sql, { ...use, presentedAt: 'now' }));
}

function refuse(refusal: LivenessSessionRefusal | null): void {
  if (!refusal) return;
  const { status, code, message } = REFUSALS[refusal];
  throw new HttpError(status, code, message);
}
