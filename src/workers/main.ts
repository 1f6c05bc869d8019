/** `npm run worker`: the KYC worker, configured from the environment. */
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { activitySettingsFromConfig } from '../activities/deps.ts';
import { createActivities } from '../activities/index.ts';
import { loadConfig } from '../config.ts';
import { createSql } from '../db/pool.ts';
import { createLogger } from '../logger.ts';
import { ensureSearchAttributes } from '../runtime/temporal-setup.ts';
import { kycSearchAttributes } from '../workflows/search-attributes.ts';
import { createAwsOutsideWorld } from './adapters.ts';

const config = loadConfig();
const logger = createLogger({ level: config.LOG_LEVEL });
const sql = createSql(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE });

if (config.KYC_SEARCH_ATTRIBUTES_SETUP) {
  const client = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const added = await ensureSearchAttributes(client, config.TEMPORAL_NAMESPACE, kycSearchAttributes);
  if (added.length > 0) logger.info({ added }, 'registered search attributes');
  await client.close();
}

const worker = await Worker.create({
  connection: await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS }),
  namespace: config.TEMPORAL_NAMESPACE,
  taskQueue: config.KYC_TASK_QUEUE,
  workflowsPath: fileURLToPath(new URL('../workflows/index.ts', import.meta.url)),
  activities: createActivities({
    sql,
    logger,
    settings: activitySettingsFromConfig(config),
    ...createAwsOutsideWorld(config, logger),
  }),
  shutdownGraceTime: config.KYC_WORKER_SHUTDOWN_GRACE,
});
logger.info({ taskQueue: config.KYC_TASK_QUEUE, address: config.TEMPORAL_ADDRESS }, 'worker started');
await worker.run();
await sql.end({ timeout: 5 });
logger.info('worker stopped');
