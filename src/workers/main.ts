/**
 * `npm run worker` (the image's `worker` role): the KYC worker on production settings only — no embedded PostgreSQL,
 * no dev server, no default secret. A missing setting stops it before it connects to anything.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Config } from '../config.ts';
import { kycSearchAttributes } from '../contract/search-attributes.ts';
import { createSql } from '../db/pool.ts';
import { createLogger } from '../logger.ts';
import { startMetricsServer, temporalRuntimeTelemetry } from '../metrics/server.ts';
import { createOutsideWorld } from '../providers.ts';
import { ensureSearchAttributes } from '../runtime/temporal-setup.ts';
import { configOrExit } from '../starters/entry-config.ts';
import { setUpSchedules } from '../starters/schedules.ts';
import { connectClientConnection } from '../starters/temporal-client.ts';
import { connectWorkerConnection } from './connection.ts';
import { createKycWorker } from './kyc-worker.ts';
import { installRuntimeLogger } from './runtime-logger.ts';

export async function runWorker(config: Config = configOrExit('worker')): Promise<void> {
  const logger = createLogger({ level: config.LOG_LEVEL });
  // The Temporal SDK's metrics (pollers, task latencies, failures) come from its runtime, installed once per process.
  installRuntimeLogger(
    logger,
    config.KYC_METRICS_PORT ? temporalRuntimeTelemetry(config.KYC_TEMPORAL_METRICS_PORT) : {},
  );
  const sql = createSql(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE });

  if (config.KYC_SEARCH_ATTRIBUTES_SETUP) {
    const client = await connectClientConnection(config, logger, 'the worker (search attributes)');
    const added = await ensureSearchAttributes(client, config.TEMPORAL_NAMESPACE, kycSearchAttributes);
    if (added.length > 0) logger.info({ added }, 'registered search attributes');
    await client.close();
  }
  if (config.KYC_SCHEDULES_SETUP) await setUpSchedules(config, logger);

  const outsideWorld = await createOutsideWorld(config, logger, sql);
  const worker = await createKycWorker({
    config,
    logger,
    sql,
    connection: await connectWorkerConnection(config, logger, 'the worker'),
    outsideWorld,
  });
  const processMetrics = new Registry();
  collectDefaultMetrics({ register: processMetrics });
  const metrics = config.KYC_METRICS_PORT
    ? await startMetricsServer({
        host: config.KYC_METRICS_HOST,
        port: config.KYC_METRICS_PORT,
        registry: processMetrics,
        temporalRuntimeMetricsUrl: `http://127.0.0.1:${config.KYC_TEMPORAL_METRICS_PORT}/metrics`,
      })
    : undefined;
  logger.info(
    {
      metrics: metrics?.url,
      taskQueue: config.KYC_TASK_QUEUE,
      address: config.TEMPORAL_ADDRESS,
      providers: config.KYC_PROVIDERS,
    },
    'worker started',
  );
  await worker.run();
  await metrics?.stop();
  await outsideWorld.close();
  await sql.end({ timeout: 5 });
  logger.info('worker stopped');
}

if (import.meta.main) await runWorker();
