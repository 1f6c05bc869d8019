/** AWS Lambda entry point of the S3 bridge: `handler` accepts S3, SQS-wrapped S3 and EventBridge events. */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadConfig } from '../config.ts';
import { createSql } from '../db/pool.ts';
import { createLogger } from '../logger.ts';
import { createS3Bridge } from './s3-bridge.ts';
import { loadSecretEnvironment } from './secret-environment.ts';
import { connectKycClient } from './temporal-client.ts';

let bridge: Promise<ReturnType<typeof createS3Bridge>> | undefined;

async function createBridgeFromEnvironment() {
  const secretEnvironment = process.env.KYC_SECRET_ENV;
  if (secretEnvironment) await loadSecretEnvironment(new SecretsManagerClient({}), secretEnvironment);
  // A production entry point: a missing setting fails the Lambda's start, naming it, instead of taking a default.
  const config = loadConfig(process.env, 'bridge');
  const sql = createSql(config.DATABASE_URL, { max: 2 });
  return createS3Bridge({
    sql,
    kyc: await connectKycClient(config, undefined, sql),
    bucket: config.KYC_S3_BUCKET,
    prefix: config.KYC_S3_PREFIX,
    logger: createLogger({ level: config.LOG_LEVEL }),
  });
}

export async function handler(event: unknown) {
  // Connections are made once per Lambda container and reused by later invocations.
  bridge ??= createBridgeFromEnvironment();
  return (await bridge).handle(event);
}
