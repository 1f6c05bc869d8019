/** What the service asks of PostgreSQL: statements counted at the client, and the server's own activity counters. */
import type { Sql } from '../src/db/pool.ts';

/** The query postgres.js sends once on every new connection, to learn the array types: the pool's, not the work's. */
const CONNECTION_SET_UP = /pg_catalog\.pg_type/;

/**
 * Counts, from now on, every statement `sql` sends for the work (a transaction's begin and commit included):
 * postgres.js calls its `debug` hook once per statement. Returns the count so far.
 */
export function countStatements(sql: Sql): () => number {
  let statements = 0;
  sql.options.debug = (_connection, query) => {
    if (!CONNECTION_SET_UP.test(query)) statements += 1;
  };
  return () => statements;
}

export interface TableActivity {
  inserted: number;
  updated: number;
  deleted: number;
}

export interface DatabaseActivity {
  /** Time the server spent executing statements in this database, all sessions together. */
  activeMs: number;
  transactions: number;
  tables: Record<string, TableActivity>;
}

/**
 * A backend reports its counters at most every second while busy and within ten seconds of going idle; read
 * `databaseActivity` this long after the work to see all of it.
 */
export const STATISTICS_DELAY_MS = 11_000;

/** The server's cumulative counters for the database `sql` is connected to. */
export async function databaseActivity(sql: Sql): Promise<DatabaseActivity> {
  const [database] = await sql<{ activeMs: number; transactions: number }[]>`
    select active_time as "activeMs", xact_commit + xact_rollback as transactions
    from pg_stat_database where datname = current_database()`;
  const tables = await sql<(TableActivity & { name: string })[]>`
    select relname as name, n_tup_ins as inserted, n_tup_upd as updated, n_tup_del as deleted
    from pg_stat_user_tables where schemaname = 'public'`;
  return {
    activeMs: database?.activeMs ?? 0,
    transactions: database?.transactions ?? 0,
    tables: Object.fromEntries(tables.map(({ name, ...counts }) => [name, counts])),
  };
}

/** What happened between two readings; tables nobody touched are left out. */
export function activityBetween(before: DatabaseActivity, after: DatabaseActivity): DatabaseActivity {
  const tables: Record<string, TableActivity> = {};
  for (const [name, counts] of Object.entries(after.tables)) {
    const earlier = before.tables[name] ?? { inserted: 0, updated: 0, deleted: 0 };
    const change = {
      inserted: counts.inserted - earlier.inserted,
      updated: counts.updated - earlier.updated,
      deleted: counts.deleted - earlier.deleted,
    };
    if (change.inserted || change.updated || change.deleted) tables[name] = change;
  }
  return {
    activeMs: after.activeMs - before.activeMs,
    transactions: after.transactions - before.transactions,
    tables,
  };
}
