/**
 * One way to reach Temporal for every process: the same address, namespace, TLS or API key, and data converter.
 * When no Temporal answers, production entry points say where they looked and which setting moves it, and retry
 * with backoff, instead of dying with a gRPC stack trace.
 */
import { readFileSync } from 'node:fs';
import { Client, Connection, type ConnectionOptions, type TLSConfig } from '@temporalio/client';
import type { Config } from '../config.ts';
import { createDataConverter } from '../data-protection/data-converter.ts';
import { loadPayloadKeys } from '../data-protection/keys.ts';
import { createPostgresUserKeyStore } from '../data-protection/user-keys.ts';
import type { Sql } from '../db/pool.ts';
import type { Logger } from '../logger.ts';
import type { KycClient } from './kyc-client.ts';

export type TemporalSettings = Pick<
  Config,
  | 'TEMPORAL_ADDRESS'
  | 'TEMPORAL_TLS'
  | 'TEMPORAL_TLS_CLIENT_CERT_PATH'
  | 'TEMPORAL_TLS_CLIENT_KEY_PATH'
  | 'TEMPORAL_TLS_SERVER_CA_CERT_PATH'
  | 'TEMPORAL_TLS_SERVER_NAME'
  | 'TEMPORAL_API_KEY'
>;

function readSetting(setting: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new Error(`${setting}=${path} cannot be read: ${(error as Error).message}`);
  }
}

/** TLS (with a client certificate for mTLS, a private CA, a server name) and the API key, from the settings. */
export function temporalConnectionOptions(config: TemporalSettings): {
  address: string;
  tls?: TLSConfig | true;
  apiKey?: string;
} {
  const cert = config.TEMPORAL_TLS_CLIENT_CERT_PATH;
  const key = config.TEMPORAL_TLS_CLIENT_KEY_PATH;
  const ca = config.TEMPORAL_TLS_SERVER_CA_CERT_PATH;
  const serverName = config.TEMPORAL_TLS_SERVER_NAME;
  const tlsOn = config.TEMPORAL_TLS ?? Boolean(cert || ca || serverName || config.TEMPORAL_API_KEY);
  const tls: TLSConfig = {
    ...(serverName ? { serverNameOverride: serverName } : {}),
    ...(ca ? { serverRootCACertificate: readSetting('TEMPORAL_TLS_SERVER_CA_CERT_PATH', ca) } : {}),
    ...(cert && key
      ? {
          clientCertPair: {
            crt: readSetting('TEMPORAL_TLS_CLIENT_CERT_PATH', cert),
            key: readSetting('TEMPORAL_TLS_CLIENT_KEY_PATH', key),
          },
        }
      : {}),
  };
  return {
    address: config.TEMPORAL_ADDRESS,
    ...(tlsOn ? { tls: Object.keys(tls).length > 0 ? tls : true } : {}),
    ...(config.TEMPORAL_API_KEY ? { apiKey: config.TEMPORAL_API_KEY } : {}),
  };
}

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

/**
 * Connects, retrying with backoff (1 s doubling to 30 s) while saying where it is looking; `signal` stops it.
 * Settings that can never work (an unreadable certificate) fail at once.
 */
export async function connectWithRetry<T>(
  connect: () => Promise<T>,
  options: { address: string; logger: Logger; what: string; signal?: AbortSignal },
): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await connect();
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const delayMs = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** attempt);
      options.logger.warn(
        { address: options.address, attempt: attempt + 1, retryInMs: delayMs, reason: (error as Error).message },
        `${options.what}: no Temporal answers at ${options.address} (TEMPORAL_ADDRESS); retrying in ${delayMs / 1000} s`,
      );
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

export function connectClientConnection(config: TemporalSettings, logger: Logger, what: string): Promise<Connection> {
  // Each attempt gives up after 5 s (the SDK waits 10), so the retry message comes soon.
  const options: ConnectionOptions = { ...temporalConnectionOptions(config), connectTimeout: 5_000 };
  return connectWithRetry(() => Connection.connect(options), { address: config.TEMPORAL_ADDRESS, logger, what });
}

/**
 * With `sql`, a user's KycWorkflow payloads go under their data key and such payloads decode (README, Compliance,
 * "Crypto-shredding"); without, for a process that sends no user's payloads (the Schedules), all go under the master key.
 */
export async function connectKycClient(
  config: Config,
  logger?: Logger,
  sql?: Sql,
): Promise<KycClient & { close(): Promise<void> }> {
  const options = temporalConnectionOptions(config);
  const connection = logger
    ? await connectClientConnection(config, logger, 'the Temporal client')
    : await Connection.connect(options);
  const keys = await loadPayloadKeys(config);
  const client = new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: createDataConverter(keys, {
      acceptPlaintext: config.acceptPlaintextPayloads,
      ...(sql ? { userKeys: createPostgresUserKeyStore(sql, keys) } : {}),
    }),
  });
  return { client, taskQueue: config.KYC_TASK_QUEUE, close: () => connection.close() };
}
