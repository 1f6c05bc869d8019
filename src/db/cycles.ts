/** The verification cycles beginCycle started (read by src/db/kyc-status.ts). */
import type { Sql } from './pool.ts';

/** Idempotent: a retried beginCycle keeps the first row and its start time. */
export async function recordCycleStart(sql: Sql, cycle: { userId: number; cycleId: string }): Promise<void> {
  await sql`
    insert into kyc_cycles (cycle_id, user_id) values (${cycle.cycleId}, ${cycle.userId})
    on conflict (cycle_id) do nothing`;
}
