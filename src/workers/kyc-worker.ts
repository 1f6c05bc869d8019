/** The KYC worker as `npm run worker` and `npm start` both run it: the workflows, and the activities on one outside world. */
import { type NativeConnection, Worker } from '@temporalio/worker';
import { activitySettingsFromConfig } from '../activities/deps.ts';
import { createActivities } from '../activities/index.ts';
import type { Config } from '../config.ts';
import { createDataConverter } from '../data-protection/data-converter.ts';
import { loadPayloadKeys } from '../data-protection/keys.ts';
import { createPostgresUserKeyStore } from '../data-protection/user-keys.ts';
import type { Sql } from '../db/pool.ts';
import type { Logger } from '../logger.ts';
import type { OutsideWorld } from '../providers.ts';
import { workflowBundle } from './workflow-bundle.ts';

export interface KycWorkerOptions {
  config: Config;
  logger: Logger;
  sql: Sql;
  connection: NativeConnection;
  outsideWorld: OutsideWorld;
}

export async function createKycWorker({ config, logger, sql, connection, outsideWorld }: KycWorkerOptions) {
  const { documents, faces, faceIndex, objects, liveness, registers, registerSources, email, productChannels, mirror } =
    outsideWorld;
  const keys = await loadPayloadKeys(config);
  return Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.KYC_TASK_QUEUE,
    workflowBundle: await workflowBundle(config.KYC_WORKFLOW_BUNDLE, logger),
    // Workers must read what the doors wrote: the same encrypting data converter as every client.
    dataConverter: createDataConverter(keys, {
      acceptPlaintext: config.acceptPlaintextPayloads,
      userKeys: createPostgresUserKeyStore(sql, keys),
    }),
    activities: createActivities({
      sql,
      logger,
      settings: activitySettingsFromConfig(config),
      documents,
      faces,
      faceIndex,
      objects,
      liveness,
      registers,
      registerSources,
      email,
      productChannels,
      mirror,
    }),
    shutdownGraceTime: config.KYC_WORKER_SHUTDOWN_GRACE,
    maxCachedWorkflows: config.KYC_WORKER_MAX_CACHED_WORKFLOWS,
  });
}
