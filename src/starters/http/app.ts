/** The HTTP service: intake API, Apify webhook receiver and CS endpoints, on fastify. */
import multipart from '@fastify/multipart';
import type { PayloadCodec } from '@temporalio/common';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { LivenessService } from '../../adapters/rekognition/index.ts';
import type { ObjectStore } from '../../adapters/s3/index.ts';
import type { Role } from '../../config.ts';
import type { Sql } from '../../db/pool.ts';
import type { Logger } from '../../logger.ts';
import type { RegisterResult } from '../../workflows/contract.ts';
import type { KycClient } from '../kyc-client.ts';
import { createAuthorizer, type TokenTable } from './auth.ts';
import { registerCodecRoutes } from './codec.ts';
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
  /** Apify webhooks older than this are refused as stale (Apify retries for about 32 hours). */
  webhookMaxAgeMs: number;
  /** Web UI origins allowed to call the codec server. */
  codecCorsOrigins: string[];
}

export interface HttpDeps {
  sql: Sql;
  kyc: KycClient;
  store: ObjectStore;
  liveness: LivenessService;
  logger: Logger;
  settings: HttpSettings;
  /** The payload codec the codec server applies for the Web UI. */
  codec: PayloadCodec;
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
  await registerCodecRoutes(app, { ...routeDeps, corsOrigins: deps.settings.codecCorsOrigins });
  return app;
}
