/**
 * Policy lifecycle (README, Compliance): decisions record the policy that took them and what it was applied to, and
 * `npm run policy:dry-run` re-applies a candidate to those past cycles, reporting and changing nothing.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCycleActivities } from '../../src/activities/cycle.ts';
import { createDecideActivities } from '../../src/activities/decide.ts';
import { type ActivityDeps, activitySettingsFromConfig } from '../../src/activities/deps.ts';
import { dryRunPolicy } from '../../src/compliance/policy-dry-run.ts';
import { loadConfig } from '../../src/config.ts';
import type { Sql } from '../../src/db/pool.ts';
import type { CheckOutcomes } from '../../src/domain/outcomes.ts';
import type { DecisionPolicy } from '../../src/domain/policy.ts';
import { createLogger } from '../../src/logger.ts';
import { loadPolicy } from '../../src/policies.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const execFileAsync = promisify(execFile);
const dryRunScript = fileURLToPath(new URL('../../src/starters/policy-dry-run.ts', import.meta.url));

const READ = { status: 'READ', expired: false, checkDigitsValid: true, fieldsComplete: true } as const;
const COMPARED = { status: 'COMPARED', similarity: 0.93, liveness: 'PASSED', selfieQuality: 'OK' } as const;
const CHECKED = { status: 'CHECKED', standing: 'REGISTERED', nameMatch: 'EXACT' } as const;
const CYCLES: Record<string, CheckOutcomes> = {
  clean: { document: READ, face: COMPARED, register: CHECKED },
  restricted: { document: READ, face: COMPARED, register: { ...CHECKED, standing: 'REGISTERED_WITH_RESTRICTIONS' } },
  borderline: { document: READ, face: { ...COMPARED, similarity: 0.85 }, register: CHECKED },
  expired: { document: { ...READ, expired: true }, face: COMPARED, register: CHECKED },
};

/** v1 with restrictions failing and a lower face-pass threshold: a policy change an agency might ask for. */
const candidate = (v1: DecisionPolicy): DecisionPolicy => ({
  ...v1,
  version: 'v2',
  summary: 'Fail on register restrictions; pass faces from 0.80.',
  thresholds: { ...v1.thresholds, facePass: 0.8 },
  rules: { ...v1.rules, REGISTER_RESTRICTIONS: 'FAIL' },
});

/** Every table's rows, in full and in order: what "changes nothing" is checked against. */
async function snapshot(sql: Sql): Promise<Record<string, string>> {
  const tables = await sql<{ name: string }[]>`
    select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`;
  const contents: Record<string, string> = {};
  for (const { name } of tables) {
    const [row] = await sql<{ rows: number; digest: string | null }[]>`
      select count(*)::int as rows, md5(string_agg(t::text, '|' order by t::text)) as digest
      from ${sql(name)} t`;
    contents[name] = `${row?.rows}:${row?.digest}`;
  }
  return contents;
}

describe('policy versions and the dry-run', () => {
  let db: TestDatabase;
  const users: Record<string, number> = {};
  let documentsNeverCameUser: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = loadConfig({ DATABASE_URL: db.url });
    const deps = {
      sql: db.sql,
      logger: createLogger({ level: 'silent' }),
      settings: activitySettingsFromConfig(config),
    } as ActivityDeps;
    const { decide } = createDecideActivities(deps);
    const newUser = async (name: string) => {
      const [row] = await db.sql<{ id: number }[]>`
        insert into users (email, reg_no, reg_type) values (${`${name}-${randomUUID()}@example.com`}, ${randomUUID().slice(0, 7)}, 'GMC')
        returning id`;
      return (row as { id: number }).id;
    };
    for (const [name, outcomes] of Object.entries(CYCLES)) {
      users[name] = await newUser(name);
      await decide({ userId: users[name] as number, cycleId: randomUUID(), outcomes });
    }
    documentsNeverCameUser = await newUser('absent');
    await createCycleActivities(deps).closeWithoutDocuments({ userId: documentsNeverCameUser, cycleId: randomUUID() });
  });
  afterAll(async () => {
    await db?.close();
  });

  it('records the policy version on every decision, and what the policy was applied to', async () => {
    const rows = await db.sql<{ userId: number; policyVersion: string; policyInput: CheckOutcomes | null }[]>`
      select user_id as "userId", policy_version as "policyVersion", policy_input as "policyInput"
      from kyc_decisions order by id`;
    expect(rows.map((row) => row.policyVersion)).toEqual(['v1', 'v1', 'v1', 'v1', 'v1']);
    expect(rows.find((row) => row.userId === users.restricted)?.policyInput).toEqual({
      ...CYCLES.restricted,
      registrationAlsoClaimedBy: [],
    });
    await expect(
      db.sql`insert into kyc_decisions (user_id, decision) values (${users.clean as number}, 'PASS')`,
    ).rejects.toThrow(/kyc_decisions_policy_version_recorded/);
  });

  it('v1 against its own decisions changes nothing', async () => {
    const report = await dryRunPolicy(db.sql, loadPolicy('v1'), {});
    expect(report.evaluated).toBe(4);
    expect(report.transitions.every((cell) => cell.from === cell.to)).toBe(true);
    expect(report.notPolicyDecisions).toBe(1);
  });

  it('npm run policy:dry-run prints the old → new matrix with the users affected, writes a CSV, and changes nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'policy-dry-run-'));
    const policyPath = join(dir, 'v2.json');
    await writeFile(policyPath, JSON.stringify(candidate(loadPolicy('v1'))));
    const csvPath = join(dir, 'out.csv');
    const before = await snapshot(db.sql);

    const { stdout } = await execFileAsync(
      process.execPath,
      [dryRunScript, '--policy', policyPath, '--since', '2000-01-01', '--csv', csvPath],
      { env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'silent' } },
    );

    expect(await snapshot(db.sql)).toEqual(before);
    expect(stdout).toContain('Policy v2 against 4 past decision(s)');
    expect(stdout).toMatch(/^PASS\s+1\s+0\s+0$/m);
    expect(stdout).toMatch(/^MANUAL_REVIEW\s+1\s+0\s+1$/m);
    expect(stdout).toMatch(/^FAIL\s+0\s+0\s+1$/m);
    expect(stdout).toContain(`MANUAL_REVIEW → PASS: 1 decision(s), users ${users.borderline}`);
    expect(stdout).toContain(`MANUAL_REVIEW → FAIL: 1 decision(s), users ${users.restricted}`);
    expect(stdout).toContain('1 decision(s) for documents never received');

    const lines = parse(await readFile(csvPath), { columns: true }) as Record<string, string>[];
    expect(lines).toHaveLength(4);
    expect(lines.filter((line) => line.changed === 'yes').map((line) => Number(line.user_id))).toEqual([
      users.restricted,
      users.borderline,
    ]);
    expect(lines.find((line) => Number(line.user_id) === users.restricted)).toMatchObject({
      policy_version: 'v1',
      decision: 'MANUAL_REVIEW',
      reasons: 'REGISTER_RESTRICTIONS',
      candidate_decision: 'FAIL',
      candidate_reasons: 'REGISTER_RESTRICTIONS',
    });
  });

  it('takes only the decisions inside --since and --until', async () => {
    const report = await dryRunPolicy(db.sql, loadPolicy('v1'), { until: new Date('2000-01-01') });
    expect(report.evaluated).toBe(0);
    const [{ latest }] = await db.sql<[{ latest: Date }]>`select max(decided_at) as latest from kyc_decisions`;
    const later = await dryRunPolicy(db.sql, loadPolicy('v1'), { since: new Date(latest.getTime() + 1) });
    expect(later.evaluated).toBe(0);
  });

  it('refuses a policy file that would loosen a mandatory fail, naming the rule', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'policy-dry-run-'));
    const v1 = loadPolicy('v1');
    await writeFile(
      join(dir, 'v3.json'),
      JSON.stringify({ ...v1, version: 'v3', rules: { ...v1.rules, REGISTER_SUSPENDED: 'MANUAL_REVIEW' } }),
    );
    const failed = await execFileAsync(process.execPath, [dryRunScript, '--policy', join(dir, 'v3.json')], {
      env: { ...process.env, DATABASE_URL: db.url },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/rules\.REGISTER_SUSPENDED: every policy must FAIL/),
    });
  });
});
