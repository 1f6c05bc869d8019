/**
 * The worker's native connection, with the same settings and retries as the client's. Apart from
 * src/starters/temporal-client.ts so that the doors and the S3 bridge Lambda never load @temporalio/worker.
 */
import { NativeConnection } from '@temporalio/worker';
import type { Logger } from '../logger.ts';
import { connectWithRetry, type TemporalSettings, temporalConnectionOptions } from '../starters/temporal-client.ts';

export function connectWorkerConnection(
  config: TemporalSettings,
  logger: Logger,
  what: string,
): Promise<NativeConnection> {
  const options = temporalConnectionOptions(config);
  return connectWithRetry(() => NativeConnection.connect(options), { address: config.TEMPORAL_ADDRESS, logger, what });
}
