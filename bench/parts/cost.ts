/**
 * Part 2, the cost of one verification: the seed's example end to end through the doors, counted in history events
 * and bytes, Temporal Cloud Actions, activities, PostgreSQL statements, rows and server time, and calls to each
 * outside service. test/cost-budget.test.ts holds the same counts to a budget. It runs before any other part, so
 * that nothing else has counters still to report to PostgreSQL's statistics.
 */
import { createSql } from '../../src/db/pool.ts';
import { measureSeedVerification } from '../cost.ts';
import { activityBetween, databaseActivity, STATISTICS_DELAY_MS } from '../postgres.ts';
import type { Rig } from '../rig.ts';
import { count, ms, sleep, sum } from '../stats.ts';
import type { PartResult } from '../table.ts';

export async function costPart(rig: Rig): Promise<PartResult> {
  const statsSql = createSql(rig.harness.db.url, { max: 1 });
  try {
    const before = await databaseActivity(statsSql);
    const cost = await measureSeedVerification(rig.harness, rig.workflowCalls);
    await sleep(STATISTICS_DELAY_MS);
    const database = activityBetween(before, await databaseActivity(statsSql));
    const rows = Object.values(database.tables);
    const inserted = sum(rows.map((table) => table.inserted));
    const updated = sum(rows.map((table) => table.updated));
    const listed = (counts: Record<string, number>) =>
      Object.entries(counts)
        .map(([name, value]) => `${name} ${value}`)
        .join(', ');
    return {
      part: 'cost',
      rows: [
        { figure: "decision of the seed's example (Dr Jane Ann Doe, GMC 6143219)", value: cost.decision ?? 'none' },
        { figure: 'history events', value: count(cost.historyEvents) },
        { figure: 'history size (protobuf, payloads encrypted)', value: `${count(cost.historyBytes)} bytes` },
        {
          figure: `Temporal Cloud Actions: ${listed(cost.actions)}`,
          value: count(sum(Object.values(cost.actions))),
        },
        {
          figure: `activities: ${Object.keys(cost.activities).join(', ')}`,
          value: count(sum(Object.values(cost.activities))),
        },
        { figure: 'PostgreSQL statements (doors and worker)', value: count(cost.statements) },
        {
          figure: `PostgreSQL rows: ${Object.entries(database.tables)
            .map(([table, change]) => `${table} +${change.inserted}${change.updated ? ` ~${change.updated}` : ''}`)
            .join(', ')} (+ inserted, ~ updated)`,
          value: `${inserted} inserted, ${updated} updated`,
        },
        { figure: 'PostgreSQL server time (all sessions)', value: ms(database.activeMs) },
        {
          figure: `calls to outside services: ${listed(cost.externalCalls)}`,
          value: count(sum(Object.values(cost.externalCalls))),
        },
      ],
      figures: { ...cost, database },
    };
  } finally {
    await statsSql.end({ timeout: 5 });
  }
}
