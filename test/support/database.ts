import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { createSql, type Sql } from '../../src/db/pool.ts';
import { createDatabase } from '../../src/runtime/postgres-server.ts';

export interface TestDatabase {
  url: string;
  sql: Sql;
  close(): Promise<void>;
}

/** A database of its own for one test file, cloned from the run's migrated template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = inject('templateDatabase');
  const name = `${template.replace(/_template$/, '')}_${randomUUID().slice(0, 8)}`;
  const url = await createDatabase(inject('adminDatabaseUrl'), name, template);
  const sql = createSql(url, { max: 5 });
  return { url, sql, close: () => sql.end({ timeout: 5 }) };
}

/**
 * Moves a database's user ids far from every other file's: files that share the run's Temporal dev server each run
 * KycWorkflows named `kyc-user-<id>` with ids from their own databases, which would otherwise meet at `kyc-user-1`.
 */
export async function spreadUserIds(sql: Sql): Promise<void> {
  await sql`select setval('users_id_seq', ${1_000_000_000 + Math.floor(Math.random() * 1_000_000_000)})`;
}
