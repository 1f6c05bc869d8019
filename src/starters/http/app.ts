/** The HTTP service: intake API, Apify webhook receiver, CS endpoints and the CS review console, on fastify. */
import multipart from '@fastify/multipart';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { createAuthorizer, installAuditTrail } from './auth.ts';
import { registerCodecRoutes } from './codec.ts';
import { registerComplianceRoutes } from './compliance.ts';
import { registerConsoleRoutes } from './console/routes.ts';
import { registerCsRoutes } from './cs.ts';
import type { HttpDeps } from './deps.ts';
import { installErrorHandler } from './errors.ts';
import { registerIntakeRoutes } from './intake.ts';
import { registerLivenessRoutes } from './liveness.ts';
import { registerOpsRoutes } from './ops.ts';
import { registerWebhookRoutes } from './webhooks.ts';

/**
 * One line per request (method, path and status, never bodies: see the logger's serializers), at debug: at info the
 * console shows what happens to cases, not every poll of a status. Failed requests stay at error.
 */
class RequestsAtDebug extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) {
      super.requestCompleted(error, request, reply);
      return;
    }
    reply.log.debug({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

export async function buildHttpApp(deps: Omit<HttpDeps, 'requireRole'>): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    logController: new RequestsAtDebug(),
    bodyLimit: 256 * 1024,
    ...(deps.settings.trustProxy ? { trustProxy: deps.settings.trustProxy } : {}),
  });
  installErrorHandler(app);
  await app.register(multipart);
  installAuditTrail(app, deps.sql);
  const routeDeps: HttpDeps = { ...deps, requireRole: createAuthorizer(deps.authenticator) };
  app.get('/healthz', async () => ({ ok: true }));
  registerIntakeRoutes(app, routeDeps);
  registerLivenessRoutes(app, routeDeps);
  registerWebhookRoutes(app, routeDeps);
  registerCsRoutes(app, routeDeps);
  registerOpsRoutes(app, routeDeps);
  registerComplianceRoutes(app, routeDeps);
  await registerConsoleRoutes(app, routeDeps, deps.settings.console);
  await registerCodecRoutes(app, { ...routeDeps, corsOrigins: deps.settings.codecCorsOrigins });
  return app;
}
