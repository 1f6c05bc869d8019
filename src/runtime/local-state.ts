/**
 * What `npm start` keeps for one data folder (KYC_DATA_DIR), and where: the Temporal dev server's SQLite file, the
 * folder object store, the outbox, the register snapshots and runs, and a database of its own — on the PostgreSQL
 * that DATABASE_URL's server runs when it answers (named after the data folder, so two checkouts never share one),
 * or an embedded cluster inside the folder. The choice is recorded in the folder, so `npm run cs`, `npm run demo`
 * and `npm run reset` find the same database, and a new data folder never inherits an old folder's cases.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';

/** Entries of the data folder that `npm start` and the local providers create; `npm run reset` removes these. */
export const LOCAL_STATE_ENTRIES = [
  'temporal.sqlite',
  'temporal.sqlite-shm',
  'temporal.sqlite-wal',
  'postgres',
  'objects',
  'outbox',
  'registers',
  'register-runs',
] as const;
const DATABASE_RECORD = 'database.json';
const SERVICE_PID = 'service.pid';

/** `kyc_<folder>_<hash of its absolute path>`: readable, and distinct for every data folder on one server. */
export function localDatabaseName(dataDir: string): string {
  const absolute = resolve(dataDir);
  const words = `${basename(dirname(absolute))}_${basename(absolute)}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(-30);
  const hash = createHash('sha256').update(absolute).digest('hex').slice(0, 8);
  return `kyc_${words}_${hash}`;
}

const databaseRecordSchema = z.object({
  databaseUrl: z.string().min(1),
  /** `server`: a database on a PostgreSQL that was already running; `embedded`: the cluster in the data folder. */
  kind: z.enum(['server', 'embedded']),
});
export type LocalDatabase = z.infer<typeof databaseRecordSchema>;

export function recordedDatabase(dataDir: string): LocalDatabase | undefined {
  let text: string;
  try {
    text = readFileSync(join(dataDir, DATABASE_RECORD), 'utf8');
  } catch {
    return undefined;
  }
  const parsed = databaseRecordSchema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : undefined;
}

export async function recordDatabase(dataDir: string, database: LocalDatabase): Promise<void> {
  await writeFile(join(dataDir, DATABASE_RECORD), `${JSON.stringify(database, null, 2)}\n`, { mode: 0o600 });
}

/**
 * The database a local command (CS CLI, demo) should use: DATABASE_URL when it is set, otherwise the one `npm start`
 * recorded for the data folder.
 */
export function localCommandDatabaseUrl(
  env: NodeJS.ProcessEnv,
  config: { DATABASE_URL: string; KYC_DATA_DIR: string },
) {
  if (env.DATABASE_URL) return config.DATABASE_URL;
  const recorded = recordedDatabase(config.KYC_DATA_DIR);
  if (!recorded) {
    throw new Error(
      `No database recorded in ${resolve(config.KYC_DATA_DIR)}: start the service first (npm start), or set DATABASE_URL.`,
    );
  }
  return recorded.databaseUrl;
}

/** The URL without its password, for printing. */
export function withoutPassword(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  if (url.password) url.password = '***';
  return url.toString();
}

/** The running service's process id, while it runs, so that `npm run reset` can refuse to pull state from under it. */
export async function recordServicePid(dataDir: string): Promise<() => Promise<void>> {
  const file = join(dataDir, SERVICE_PID);
  await writeFile(file, `${process.pid}\n`);
  return () => rm(file, { force: true });
}

export function runningServicePid(dataDir: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dataDir, SERVICE_PID), 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

export async function forgetDatabase(dataDir: string): Promise<void> {
  await rm(join(dataDir, DATABASE_RECORD), { force: true });
  await rm(join(dataDir, SERVICE_PID), { force: true });
}
