/**
 * Part `dry-run`: `npm run policy:dry-run` over N past verification cycles (100,000 by default, 5,000 with --quick),
 * written straight to PostgreSQL as policy v1 decided them, re-evaluated under a candidate (restrictions fail, faces
 * pass from 0.85), CSV included. The floor is the plain SELECT of the same rows in the same run: reading is the part
 * no re-evaluation can avoid.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dryRunPolicy } from '../../src/compliance/policy-dry-run.ts';
import type { Sql } from '../../src/db/pool.ts';
import { decide } from '../../src/domain/decision.ts';
import type { CheckOutcomes } from '../../src/domain/outcomes.ts';
import type { DecisionPolicy } from '../../src/domain/policy.ts';
import { REGISTER_STANDINGS } from '../../src/domain/registers.ts';
import { loadPolicy } from '../../src/policies.ts';
import type { Rig } from '../rig.ts';
import { count, mib, percentile, ratio } from '../stats.ts';
import type { PartResult } from '../table.ts';

const RUNS = 3;
const INSERT_CHUNK = 10_000;

/** Cycle i's outcomes: mostly clean, with every register standing, a spread of face scores and some failures. */
function outcomesOf(i: number): CheckOutcomes {
  const similarity = [0.97, 0.93, 0.88, 0.62, 0.4][i % 5] as number;
  const standing = i % 7 === 0 ? (REGISTER_STANDINGS[i % REGISTER_STANDINGS.length] ?? 'REGISTERED') : 'REGISTERED';
  return {
    document: { status: 'READ', expired: i % 53 === 0, checkDigitsValid: true, fieldsComplete: i % 31 !== 0 },
    face: { status: 'COMPARED', similarity, liveness: i % 97 === 0 ? 'FAILED' : 'PASSED', selfieQuality: 'OK' },
    register: { status: 'CHECKED', standing, nameMatch: i % 11 === 0 ? 'MIDDLE_NAME_MISSING' : 'EXACT' },
    registrationAlsoClaimedBy: [],
  };
}

async function seedCycles(sql: Sql, cycles: number, v1: DecisionPolicy): Promise<{ from: number; to: number }> {
  const [first] = await sql<{ id: number }[]>`select coalesce(max(id), 0) + 1 as id from users`;
  const from = (first as { id: number }).id;
  for (let start = 0; start < cycles; start += INSERT_CHUNK) {
    const indexes = Array.from({ length: Math.min(INSERT_CHUNK, cycles - start) }, (_, k) => start + k);
    const outcomes = indexes.map(outcomesOf);
    const verdicts = outcomes.map((one) => decide(one, v1));
    await sql`
      with fresh as (
        insert into users (email, reg_no, reg_type, status)
        select 'dry-run-' || i || '@example.com', 'DR' || i, 'GMC', 'VERIFIED' from unnest(${indexes}::int[]) i
        returning id, reg_no
      )
      insert into kyc_decisions (user_id, cycle_id, decision, reasons, source, policy_version, policy_input, decided_at)
      select f.id, gen_random_uuid(), v.decision::kyc_decision_enum, string_to_array(v.reasons, ' ')::text[], 'AUTOMATIC',
             'v1', v.input::jsonb, now() - make_interval(mins => v.i)
      from unnest(${indexes}::int[], ${verdicts.map((v) => v.decision)}::text[],
                  ${verdicts.map((v) => v.reasons.join(' '))}::text[], ${outcomes.map((o) => JSON.stringify(o))}::text[])
           as v(i, decision, reasons, input)
      join fresh f on f.reg_no = 'DR' || v.i`;
  }
  await sql`analyze users, kyc_decisions`;
  return { from, to: from + cycles };
}

export async function dryRunPart(rig: Rig, quick: boolean): Promise<PartResult> {
  const cycles = quick ? 5_000 : 100_000;
  const sql = rig.harness.db.sql;
  const v1 = loadPolicy('v1');
  const candidate: DecisionPolicy = {
    ...v1,
    version: 'v2',
    thresholds: { ...v1.thresholds, facePass: 0.85 },
    rules: { ...v1.rules, REGISTER_RESTRICTIONS: 'FAIL' },
  };
  process.stderr.write(`bench: dry-run: writing ${count(cycles)} past cycles…\n`);
  await seedCycles(sql, cycles, v1);
  const dir = await mkdtemp(join(tmpdir(), 'bench-dry-run-'));
  try {
    const selectMs: number[] = [];
    const dryRunMs: number[] = [];
    let report: Awaited<ReturnType<typeof dryRunPolicy>> | undefined;
    for (let run = 0; run < RUNS; run += 1) {
      const selected = performance.now();
      const rows = await sql`
        select id, user_id, cycle_id, decided_at, policy_version, decision, reasons, policy_input
        from kyc_decisions where source = 'AUTOMATIC' and reg_check_id is null`;
      selectMs.push(performance.now() - selected);
      if (rows.length < cycles) throw new Error(`read ${rows.length} rows, wrote ${cycles}`);
      const started = performance.now();
      report = await dryRunPolicy(sql, candidate, {}, join(dir, 'dry-run.csv'));
      dryRunMs.push(performance.now() - started);
    }
    const done = report as NonNullable<typeof report>;
    const csvBytes = (await stat(join(dir, 'dry-run.csv'))).size;
    const medianDryRun = percentile(dryRunMs, 50);
    const medianSelect = percentile(selectMs, 50);
    const changed = done.transitions.filter((cell) => cell.from !== cell.to);
    const seconds = (value: number) => `${(value / 1000).toFixed(2)} s`;
    return {
      part: 'dry-run',
      rows: [
        {
          figure: `policy dry-run over ${count(done.evaluated)} past cycles, CSV included (median of ${RUNS}); floor: the plain SELECT of the same rows`,
          value: seconds(medianDryRun),
          floor: seconds(medianSelect),
          ratio: ratio(medianDryRun / medianSelect),
        },
        { figure: 'cycles re-evaluated per second', value: count(done.evaluated / (medianDryRun / 1000)) },
        {
          figure: 'decisions the candidate would change (restrictions fail, faces pass from 0.85)',
          value: changed.map((cell) => `${cell.from}→${cell.to} ${count(cell.count)}`).join(', '),
        },
        { figure: 'CSV written', value: mib(csvBytes) },
      ],
      figures: {
        cycles,
        selectMs,
        dryRunMs,
        transitions: done.transitions.map(({ userIds, ...cell }) => cell),
        csvBytes,
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
