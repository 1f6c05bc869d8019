/**
 * Part `status`: `GET /users/:id/kyc` over HTTP, answered from PostgreSQL (the default) and by the workflow's
 * `kycStatus` query (`?live=true`), in the same run, alternating read by read over the same decided cases. Each
 * query is a billed Temporal Cloud Action and a workflow task on a worker; the database read is one statement.
 */
import { kycWorkflowId } from '../../src/contract/kyc-workflow.ts';
import { TOKEN } from '../../test/support/kyc-harness.ts';
import { enrolUsers, startKycVerification } from '../flows.ts';
import type { Rig } from '../rig.ts';
import { count, ms, percentile, ratio, sleep, sum } from '../stats.ts';
import type { PartResult } from '../table.ts';

const MODES = { database: '', query: '?live=true' } as const;
type Mode = keyof typeof MODES;

export async function statusPart(rig: Rig, quick: boolean): Promise<PartResult> {
  const cases = quick ? 2 : 10;
  const reads = quick ? 40 : 2_000;
  const { harness } = rig;
  const userIds = await enrolUsers(harness.db.sql, cases);
  process.stderr.write(`bench: status: verifying ${cases} cases…\n`);
  await Promise.all(
    userIds.map((userId) => startKycVerification(harness.env.client, harness.kyc.taskQueue, rig.documents, userId)),
  );
  await untilDecided(rig, userIds);

  const times: Record<Mode, number[]> = { database: [], query: [] };
  for (let index = 0; index < reads; index += 1) {
    const userId = userIds[index % userIds.length] as number;
    // Alternating which goes first, so neither always meets the other's warm caches.
    const order: Mode[] = index % 2 === 0 ? ['database', 'query'] : ['query', 'database'];
    for (const mode of order) {
      const started = performance.now();
      const response = await fetch(`${harness.url}/users/${userId}/kyc${MODES[mode]}`, {
        headers: { authorization: `Bearer ${TOKEN.intake}` },
      });
      const body = (await response.json()) as { stage?: string; cycleId?: string };
      times[mode].push(performance.now() - started);
      if (response.status !== 200 || body.stage !== 'DECIDED') {
        throw new Error(`${kycWorkflowId(userId)}: the ${mode} read answered ${response.status} ${body.stage}`);
      }
    }
  }
  const figure = (mode: Mode) => ({
    p50: percentile(times[mode], 50),
    p99: percentile(times[mode], 99),
    total: sum(times[mode]),
  });
  const database = figure('database');
  const query = figure('query');
  return {
    part: 'status',
    rows: [
      {
        figure: `GET /users/:id/kyc from PostgreSQL (the default), ${cases} decided cases: p50, p99`,
        value: `${ms(database.p50)}, ${ms(database.p99)}`,
      },
      {
        figure: 'GET /users/:id/kyc?live=true (the kycStatus query), the same cases: p50, p99',
        value: `${ms(query.p50)}, ${ms(query.p99)}`,
      },
      {
        figure: `${count(reads)} sequential reads each: time from PostgreSQL ÷ by query; Temporal Actions`,
        value: `${ratio(database.total / query.total)} (${ms(database.total)} ÷ ${ms(query.total)}); 0 and ${count(reads)}`,
      },
    ],
    figures: { cases, reads, database, query },
  };
}

/** Waits on the users' rows, not a query, until every case is decided. */
async function untilDecided(rig: Rig, userIds: number[]): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const [row] = await rig.harness.db.sql<{ pending: number }[]>`
      select count(*)::int as pending from users where id = any(${userIds}) and status = 'PENDING'`;
    if (row?.pending === 0) return;
    if (Date.now() > deadline)
      throw new Error(`${row?.pending} of the status part's cases were not decided in 2 minutes`);
    await sleep(100);
  }
}
