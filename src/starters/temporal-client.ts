/** One way to reach Temporal for every door: the same address, namespace, task queue and data converter. */
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config.ts';
import { createDataConverter } from '../data-protection/data-converter.ts';
import { loadPayloadKeys } from '../data-protection/keys.ts';
import type { KycClient } from './kyc-client.ts';

export async function connectKycClient(config: Config): Promise<KycClient & { close(): Promise<void> }> {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: createDataConverter(await loadPayloadKeys(config)),
  });
  return { client, taskQueue: config.KYC_TASK_QUEUE, close: () => connection.close() };
}
