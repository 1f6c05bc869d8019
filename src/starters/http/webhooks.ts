/**
 * The Apify webhook receiver. It checks the callback token (an HMAC of the user and cycle, set by the run's headers
 * template) and the payload, hands the payload on durably — to the reg-check-ingest queue, or straight to the
 * workflow when no queue is configured — and only then answers 2xx, so Apify retries whatever was not handed on.
 */
import type { FastifyInstance } from 'fastify';
import { CALLBACK_TOKEN_HEADER, isValidCallbackToken } from '../../adapters/apify/callback-token.ts';
import { registerResultSchema } from '../../workflows/contract.ts';
import type { HttpDeps } from './app.ts';
import { HttpError } from './errors.ts';
import { parseBody } from './intake.ts';

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
    await deps.handOffRegisterResult(result);
    return reply.status(202).send({ accepted: true });
  });
}
