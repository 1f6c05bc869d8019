/** `npm run worker`: the KYC worker, configured from the environment. */
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../config.ts';
import { kycSearchAttributes } from '../contract/search-attributes.ts';
import { createSql } from '../db/pool.ts';
import { createLogger } from '../logger.ts';
import { createOutsideWorld } from '../providers.ts';
import { ensureSearchAttributes } from '../runtime/temporal-setup.ts';
import { setUpSchedules } from '../starters/schedules.ts';
import { createKycWorker } from './kyc-worker.ts';
import { installRuntimeLogger } from './runtime-logger.ts';

const config = loadConfig();
const logger = createLogger({ level: config.LOG_LEVEL });
installRuntimeLogger(logger);
const sql = createSql(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE });

if (config.KYC_SEARCH_ATTRIBUTES_SETUP) {
  const client = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const added = await ensureSearchAttributes(client, config.TEMPORAL_NAMESPACE, kycSearchAttributes);
  if (added.length > 0) logger.info({ added }, 'registered search attributes');
  await client.close();
}
if (config.KYC_SCHEDULES_SETUP) await setUpSchedules(config, logger);

const outsideWorld = createOutsideWorld(config, logger, sql);
const worker = await createKycWorker({
  config,
  logger,
  sql,
  connection: await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS }),
  outsideWorld,
});
logger.info(
  { taskQueue: config.KYC_TASK_QUEUE, address: config.TEMPORAL_ADDRESS, providers: config.KYC_PROVIDERS },
  'worker started',
);
await worker.run();
await outsideWorld.close();
await sql.end({ timeout: 5 });
logger.info('worker stopped');
