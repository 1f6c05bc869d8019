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
