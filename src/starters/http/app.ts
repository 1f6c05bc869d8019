/** The HTTP service: intake API, Apify webhook receiver and CS endpoints, on fastify. */
import multipart from '@fastify/multipart';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { LivenessService } from '../../adapters/rekognition/index.ts';
import type { ObjectStore } from '../../adapters/s3/index.ts';
import type { Role } from '../../config.ts';
import type { Sql } from '../../db/pool.ts';
import type { Logger } from '../../logger.ts';
import type { RegisterResult } from '../../workflows/contract.ts';
import type { KycClient } from '../kyc-client.ts';
import { createAuthorizer, type TokenTable } from './auth.ts';
import { registerCsRoutes } from './cs.ts';
import { installErrorHandler } from './errors.ts';
import { registerIntakeRoutes } from './intake.ts';
import { registerWebhookRoutes } from './webhooks.ts';

export interface HttpSettings {
  tokens: TokenTable;
  bucket: string;
  keyPrefix: string;
  maxUploadBytes: number;
  maxUploadPixels: number;
  intakeSignal: 'direct' | 's3-event';
  webhookSecret: string;
}

export interface HttpDeps {
  sql: Sql;
  kyc: KycClient;
  store: ObjectStore;
  liveness: LivenessService;
  logger: Logger;
  settings: HttpSettings;
  handOffRegisterResult(result: RegisterResult): Promise<void>;
  requireRole(...roles: Role[]): ReturnType<ReturnType<typeof createAuthorizer>>;
}

export async function buildHttpApp(deps: Omit<HttpDeps, 'requireRole'>): Promise<FastifyInstance> {
  const app = Fastify({
    // Fastify logs method, URL and status per request, never bodies (which may hold PII).
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: 256 * 1024,
  });
  installErrorHandler(app);
  await app.register(multipart);
  const routeDeps: HttpDeps = { ...deps, requireRole: createAuthorizer(deps.settings.tokens) };
  app.get('/healthz', async () => ({ ok: true }));
  registerIntakeRoutes(app, routeDeps);
  registerWebhookRoutes(app, routeDeps);
  registerCsRoutes(app, routeDeps);
  return app;
}
