import type { Sql } from '../../src/db/pool.ts';

export function createSmokeActivities(sql: Sql) {
  return {
    async recordSmokeUser(email: string): Promise<number> {
      const [row] = await sql<{ id: number }[]>`
        insert into users (email, reg_no, reg_type) values (${email}, '7654321', 'GMC') returning id`;
      if (!row) throw new Error('insert returned no row');
      return row.id;
    },
  };
}
