/** Applies db/migrations with dbmate, creating the database if needed. */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const migrationsDirectory = fileURLToPath(new URL('../../db/migrations', import.meta.url));
export const schemaFile = fileURLToPath(new URL('../../db/schema.sql', import.meta.url));

/** dbmate's Go driver insists on an explicit sslmode for servers without TLS. */
function withSslMode(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  if (!url.searchParams.has('sslmode')) url.searchParams.set('sslmode', 'disable');
  return url.toString();
}

/**
 * DBMATE_PATH, else the binary npm installed from `@dbmate/<platform>-<arch>`, else `dbmate` on PATH. The project
 * depends on the platform package directly: the registry it installs from serves only some of the platform
 * packages that the `dbmate` wrapper names, which would leave `npm ci` with an incomplete lock file.
 */
export function dbmateBinary(): string {
  if (process.env.DBMATE_PATH) return process.env.DBMATE_PATH;
  try {
    return createRequire(import.meta.url).resolve(`@dbmate/${platform}-${arch}/bin/dbmate`);
  } catch {
    return 'dbmate';
  }
}

export async function migrate(databaseUrl: string, options: { dumpSchema?: boolean } = {}): Promise<string> {
  const args = [
    '--url',
    withSslMode(databaseUrl),
    '--migrations-dir',
    migrationsDirectory,
    '--schema-file',
    schemaFile,
    '--wait',
    ...(options.dumpSchema ? [] : ['--no-dump-schema']),
    'up',
  ];
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync(dbmateBinary(), args));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('dbmate was not found: run `npm install` on linux-x64, or install dbmate and set DBMATE_PATH');
    }
    throw error;
  }
  return stdout;
}
