/** The HTTP service: intake API, Apify webhook receiver and CS endpoints, on fastify. */
import multipart from '@fastify/multipart';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { createAuthorizer, installAuditTrail } from './auth.ts';
import { registerCodecRoutes } from './codec.ts';
import { registerCsRoutes } from './cs.ts';
import type { HttpDeps } from './deps.ts';
import { installErrorHandler } from './errors.ts';
import { registerIntakeRoutes } from './intake.ts';
import { registerWebhookRoutes } from './webhooks.ts';

export async function buildHttpApp(deps: Omit<HttpDeps, 'requireRole'>): Promise<FastifyInstance> {
  const app = Fastify({
    // Fastify logs method, URL and status per request, never bodies (which may hold PII).
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: 256 * 1024,
    ...(deps.settings.trustProxy ? { trustProxy: deps.settings.trustProxy } : {}),
  });
  installErrorHandler(app);
  await app.register(multipart);
  installAuditTrail(app, deps.sql);
  const routeDeps: HttpDeps = { ...deps, requireRole: createAuthorizer(deps.authenticator) };
  app.get('/healthz', async () => ({ ok: true }));
  registerIntakeRoutes(app, routeDeps);
  registerWebhookRoutes(app, routeDeps);
  registerCsRoutes(app, routeDeps);
  await registerCodecRoutes(app, { ...routeDeps, corsOrigins: deps.settings.codecCorsOrigins });
  return app;
}
