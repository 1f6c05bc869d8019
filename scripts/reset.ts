/**
 * `npm run reset`: removes everything `npm start` keeps for the data folder (KYC_DATA_DIR, default .data), so the next
 * start begins empty: the data folder's own database (dropped from the PostgreSQL it lives on, or the embedded
 * cluster), the Temporal dev server's SQLite file, the uploaded objects, the outbox, the register snapshots and runs.
 * A database named by DATABASE_URL is the user's own and stays. Refuses while the service runs on the folder.
 */
import { existsSync } from 'node:fs';
import { readdir, rm, rmdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import postgres from 'postgres';
import { loadConfig } from '../src/config.ts';
import {
  forgetDatabase,
  LOCAL_STATE_ENTRIES,
  localDatabaseName,
  recordedDatabase,
  runningServicePid,
} from '../src/runtime/local-state.ts';
import { databaseUrlFor, isReachable, maintenanceUrl } from '../src/runtime/postgres-server.ts';

const config = loadConfig();
const dataDir = resolve(config.KYC_DATA_DIR);
const pid = runningServicePid(dataDir);
if (pid !== undefined) {
  console.error(`The service is running on ${dataDir} (process ${pid}): stop it (Ctrl-C) before npm run reset.`);
  process.exit(1);
}

/** The data folder's own database on a running server: the recorded one, or the one its name would give. */
function ownServerDatabase(): string | undefined {
  const recorded = recordedDatabase(dataDir);
  if (recorded) return recorded.kind === 'server' ? recorded.databaseUrl : undefined;
  return process.env.DATABASE_URL ? undefined : databaseUrlFor(config.DATABASE_URL, localDatabaseName(dataDir));
}

const removed: string[] = [];
const serverDatabase = ownServerDatabase();
if (serverDatabase && (await isReachable(maintenanceUrl(serverDatabase)))) {
  const name = new URL(serverDatabase).pathname.slice(1);
  const sql = postgres(maintenanceUrl(serverDatabase), { max: 1, onnotice: () => {} });
  try {
    const [found] = await sql`select 1 from pg_database where datname = ${name}`;
    if (found) {
      await sql.unsafe(`DROP DATABASE "${name}" WITH (FORCE)`);
      removed.push(`database ${name} on ${new URL(serverDatabase).host}`);
    }
  } finally {
    await sql.end();
  }
} else if (serverDatabase) {
  console.error(`The PostgreSQL holding ${serverDatabase} does not answer: its database was not dropped.`);
  process.exitCode = 1;
}
if (process.env.DATABASE_URL) console.log('DATABASE_URL is set: that database is yours, and was left as it is.');

for (const entry of LOCAL_STATE_ENTRIES) {
  const path = join(dataDir, entry);
  if (!existsSync(path)) continue;
  await rm(path, { recursive: true, force: true });
  removed.push(entry === 'postgres' ? `${path} (embedded PostgreSQL cluster)` : path);
}
await forgetDatabase(dataDir);
if (existsSync(dataDir) && (await readdir(dataDir)).length === 0) await rmdir(dataDir);

console.log(removed.length === 0 ? `Nothing to remove for ${dataDir}.` : `Removed:\n  ${removed.join('\n  ')}`);
