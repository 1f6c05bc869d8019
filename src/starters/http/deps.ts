/** What the HTTP routes are given: clients, settings and the authoriser. Routes import this, never the app. */
import type { PayloadCodec } from '@temporalio/common';
import type { LivenessService } from '../../adapters/rekognition/index.ts';
import type { ObjectStore } from '../../adapters/s3/index.ts';
import type { RegisterResult } from '../../contract/kyc-workflow.ts';
import type { Sql } from '../../db/pool.ts';
import type { Authenticator, Role } from '../../identity/index.ts';
import type { Logger } from '../../logger.ts';
import type { KycClient } from '../kyc-client.ts';
import type { RoleCheck } from './auth.ts';
import type { ConsoleSettings } from './console/routes.ts';

export interface HttpSettings {
  /** Proxies whose X-Forwarded-For is believed (the audit records the caller's address, not the proxy's). */
  trustProxy?: string[] | undefined;
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
  /** The CS review console (README, "CS review console"); closed when absent. */
  console?: ConsoleSettings;
}

export interface HttpDeps {
  sql: Sql;
  kyc: KycClient;
  store: ObjectStore;
  liveness: LivenessService;
  logger: Logger;
  /** Who is calling: service tokens, OIDC access tokens, local accounts (see src/identity). */
  authenticator: Authenticator;
  settings: HttpSettings;
  /** The payload codec the codec server applies for the Web UI. */
  codec: PayloadCodec;
  handOffRegisterResult(result: RegisterResult): Promise<void>;
  requireRole(...roles: Role[]): RoleCheck;
}
