/**
 * The worker's native connection to Temporal, with the same settings and retries as every client's. Kept apart from
 * src/starters/temporal-client.ts so that the doors (and the S3 bridge Lambda's bundle) never load @temporalio/worker.
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
