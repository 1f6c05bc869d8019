/** Applies db/migrations with dbmate (the binary the `dbmate` npm package ships), creating the database if needed. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { resolveBinary } from 'dbmate';

const execFileAsync = promisify(execFile);

export const migrationsDirectory = fileURLToPath(new URL('../../db/migrations', import.meta.url));
export const schemaFile = fileURLToPath(new URL('../../db/schema.sql', import.meta.url));

/** dbmate's Go driver insists on an explicit sslmode for servers without TLS. */
function withSslMode(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  if (!url.searchParams.has('sslmode')) url.searchParams.set('sslmode', 'disable');
  return url.toString();
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
  const { stdout } = await execFileAsync(resolveBinary(), args);
  return stdout;
}
