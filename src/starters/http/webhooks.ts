/**
 * The Apify webhook receiver. It checks the callback token (an HMAC of the user and cycle, set by the run's headers
 * template), the payload and its age (older than Apify's retry horizon is refused), acknowledges a replay of a
 * delivery already handed on without acting again, and hands new payloads on durably — to the reg-check-ingest queue, or straight to the
 * workflow when no queue is configured — and only then answers 2xx, so Apify retries whatever was not handed on.
 */
import type { FastifyInstance } from 'fastify';
import { CALLBACK_TOKEN_HEADER, isValidCallbackToken } from '../../adapters/apify/callback-token.ts';
import { registerResultSchema } from '../../workflows/contract.ts';
import type { HttpDeps } from './app.ts';
import { HttpError } from './errors.ts';
import { parseBody } from './intake.ts';

/** Clocks drift: a createdAt slightly ahead of ours is not an attack. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

export function registerWebhookRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.post('/webhooks/apify', async (request, reply) => {
    const token = request.headers[CALLBACK_TOKEN_HEADER];
    if (typeof token !== 'string' || token.length === 0) {
      throw new HttpError(401, 'MISSING_CALLBACK_TOKEN', `the ${CALLBACK_TOKEN_HEADER} header is required`);
    }
    const result = parseBody(registerResultSchema, request.body);
    if (!isValidCallbackToken(deps.settings.webhookSecret, result.kyc.userId, result.kyc.cycleId, token)) {
      throw new HttpError(401, 'BAD_CALLBACK_TOKEN', 'the callback token does not match this run');
    }
    const age = Date.now() - Date.parse(result.createdAt);
    if (!(age <= deps.settings.webhookMaxAgeMs && age >= -FUTURE_TOLERANCE_MS)) {
      throw new HttpError(400, 'STALE_WEBHOOK', 'the webhook is older than Apify retries for, or from the future');
    }
    const deliveryKey = `apify:${result.eventData.actorRunId}:${result.eventType}`;
    const [seen] = await deps.sql`select 1 from webhook_receipts where delivery_key = ${deliveryKey}`;
    if (seen) return reply.status(200).send({ accepted: true, duplicate: true });
    await deps.handOffRegisterResult(result);
    // Recorded only after the hand-off, so that a failed hand-off is retried by Apify rather than taken for a replay.
    await deps.sql`insert into webhook_receipts (delivery_key) values (${deliveryKey}) on conflict do nothing`;
    return reply.status(202).send({ accepted: true });
  });
}
