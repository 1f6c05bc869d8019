/**
 * The Apify webhook receiver. It checks the callback token (an HMAC of the user, cycle and issue time, set by the run's
 * headers template), the payload, its age, and that its run is the cycle's (older than Apify's retry horizon is refused), acknowledges a replay of a
 * delivery already handed on without acting again, and hands new payloads on durably — to the reg-check-ingest queue,
 * or straight to the workflow when no queue is configured — and only then answers 2xx, so Apify retries whatever was
 * not handed on. Each delivery is claimed before its hand-off (see db/webhook-receipts.ts), so two copies arriving
 * at once are handed on once.
 */
import type { FastifyInstance } from 'fastify';
import { CALLBACK_TOKEN_HEADER, verifyCallbackToken } from '../../adapters/apify/callback-token.ts';
import { registerResultSchema } from '../../contract/kyc-workflow.ts';
import { findRegisterRun } from '../../db/checks.ts';
import { claimDelivery, markHandedOff, releaseClaim } from '../../db/webhook-receipts.ts';
import type { HttpDeps } from './deps.ts';
import { HttpError } from './errors.ts';
import { parseBody } from './request.ts';

/** Clocks drift: a createdAt slightly ahead of ours is not an attack. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

export function registerWebhookRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.post('/webhooks/apify', async (request, reply) => {
    const token = request.headers[CALLBACK_TOKEN_HEADER];
    if (typeof token !== 'string' || token.length === 0) {
      throw new HttpError(401, 'MISSING_CALLBACK_TOKEN', `the ${CALLBACK_TOKEN_HEADER} header is required`);
    }
    const result = parseBody(registerResultSchema, request.body);
    const verified = verifyCallbackToken(deps.settings.webhookSecret, result.kyc.userId, result.kyc.cycleId, token);
    if (!verified) throw new HttpError(401, 'BAD_CALLBACK_TOKEN', 'the callback token does not match this run');
    const createdAt = Date.parse(result.createdAt);
    const age = Date.now() - createdAt;
    // createdAt is Apify's word; the token's signed issue time bounds it, so a fresh createdAt cannot revive a token.
    const sinceIssued = createdAt - verified.issuedAt.getTime();
    if (
      !(age <= deps.settings.webhookMaxAgeMs && age >= -FUTURE_TOLERANCE_MS) ||
      !(sinceIssued >= -FUTURE_TOLERANCE_MS && sinceIssued <= deps.settings.webhookMaxAgeMs)
    ) {
      throw new HttpError(
        400,
        'STALE_WEBHOOK',
        'the webhook is older than its token or Apify retries for, or from the future',
      );
    }
    const recorded = await findRegisterRun(deps.sql, result.kyc.cycleId);
    if (recorded && recorded.runId !== result.resource.id) {
      throw new HttpError(400, 'WRONG_RUN', "the webhook is for a run other than the cycle's");
    }
    const deliveryKey = `apify:${result.eventData.actorRunId}:${result.eventType}`;
    const claim = await claimDelivery(deps.sql, deliveryKey);
    if (claim === 'handed-off') return reply.status(200).send({ accepted: true, duplicate: true });
    if (claim === 'claimed-elsewhere') {
      // Another copy of this delivery is being handed on right now; Apify retries, and then finds it done.
      throw new HttpError(409, 'DELIVERY_IN_PROGRESS', 'another copy of this webhook is being handed on; retry later');
    }
    try {
      await deps.handOffRegisterResult(result);
    } catch (error) {
      await releaseClaim(deps.sql, deliveryKey);
      throw error;
    }
    await markHandedOff(deps.sql, deliveryKey);
    return reply.status(202).send({ accepted: true });
  });
}
