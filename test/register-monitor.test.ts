/**
 * Register monitoring on the time-skipping server, four days as the `kyc-register-monitor` Schedule would run them
 * (the test server has no Schedules): the real activities, PostgreSQL, the GMC monitored from a register data file
 * with dated downloads staged ahead, the NMC through an actor run over a list of numbers (the Apify stand-in), the
 * GDC with no source at all. A doctor verified through the whole KycWorkflow is suspended in day 3's download.
 */

import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { datedPath } from '../src/adapters/apify/register-file.ts';
import { kycWorkflowId, submitCsReviewUpdate } from '../src/contract/kyc-workflow.ts';
import {
  REGISTER_MONITOR_WORKFLOW_ID_PREFIX,
  REGISTER_MONITOR_WORKFLOW_TYPE,
  type RegisterMonitorSummary,
} from '../src/contract/monitor-workflow.ts';
import { KycRegisterCheckedAt, KycRegisterSource } from '../src/contract/search-attributes.ts';
import type { RegisterMonitorWorkflow } from '../src/workflows/monitor.ts';
import { keepHistory } from './support/history-fixtures.ts';
import { ACTORS, type KycHarness, SEED_PERSON, startKycHarness } from './support/kyc-harness.ts';

const TIME_ZONE = 'Europe/London';
const NURSE_PIN = '01A2345N';
const COLLEAGUE = {
  ...SEED_PERSON,
  givenNames: 'JOHN ANDREW',
  regNo: '7012345',
  passportNumber: '925665417',
  email: 'dr.john@example.com',
};

let h: KycHarness;
let passClient: Client;
let dataDir: string;
let gmcFile: string;

function londonDate(epochMs: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE }).format(new Date(epochMs));
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The GMC's download: the seed's doctor and two others, with the columns the LRMP-like file has. */
function gmcDownload(
  doctor: { status: string; address: string; conditions?: string },
  colleague: { status: string; conditions?: string } = { status: 'Registered with a licence to practise' },
): string {
  return stringify(
    [
      {
        gmcReferenceNumber: SEED_PERSON.regNo,
        fullName: 'Jane Ann Doe',
        registrationStatus: doctor.status,
        conditions: doctor.conditions ?? '',
        registeredAddress: doctor.address,
      },
      {
        gmcReferenceNumber: COLLEAGUE.regNo,
        fullName: 'John Andrew Doe',
        registrationStatus: colleague.status,
        conditions: colleague.conditions ?? '',
        registeredAddress: 'Leeds',
      },
      {
        gmcReferenceNumber: '4123456',
        fullName: 'Amir Khan',
        registrationStatus: 'Registered without a licence to practise',
        conditions: '',
        registeredAddress: 'York',
      },
    ],
    { header: true },
  );
}

async function runPass(): Promise<{ handle: WorkflowHandle; summary: RegisterMonitorSummary }> {
  const handle = await passClient.workflow.start<typeof RegisterMonitorWorkflow>(REGISTER_MONITOR_WORKFLOW_TYPE, {
    taskQueue: h.kyc.taskQueue,
    workflowId: `${REGISTER_MONITOR_WORKFLOW_ID_PREFIX}-${randomUUID()}`,
    args: [{ timeZone: TIME_ZONE, batchesPerRun: 2 }],
  });
  return { handle, summary: await handle.result() };
}

/** A user verified long ago, written straight to the database with the record behind their PASS. */
async function seedVerified(regType: 'NMC' | 'GDC' | 'GPC', regNo: string, record: Record<string, unknown>) {
  const cycleId = randomUUID();
  const [user] = await h.db.sql<{ id: number }[]>`
    insert into users (email, reg_no, reg_type, status)
    values (${`${regNo.toLowerCase()}@example.com`}, ${regNo}, ${regType}, 'VERIFIED') returning id`;
  const userId = Number((user as { id: number }).id);
  await h.db.sql`
    insert into reg_checks (user_id, cycle_id, snapshot_date, matched_name, matched_status, raw_response_json, standing)
    values (${userId}, ${cycleId}, '2026-01-05', true, true, ${h.db.sql.json({ record } as never)}, 'REGISTERED')`;
  await h.db.sql`insert into kyc_decisions (user_id, cycle_id, decision, policy_version)
    values (${userId}, ${cycleId}, 'PASS', 'v1')`;
  return userId;
}

describe('RegisterMonitorWorkflow', () => {
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kyc-monitor-'));
    gmcFile = join(dataDir, 'registers', 'gmc.csv');
    h = await startKycHarness({
      settings: {
        KYC_DATA_DIR: dataDir,
        // The GPhC's download never arrives: its source is failing.
        KYC_REGISTER_DATA_FILES: `GMC:${gmcFile},GPC:${join(dataDir, 'registers', 'gphc.csv')}`,
        // No GDC actor: the GDC has no working source.
        APIFY_ACTOR_GDC: '',
        KYC_MONITOR_BATCH_SIZE: '2',
        KYC_COMPLIANCE_EMAIL: 'compliance@example.org',
      },
    });
    const { namespace, dataConverter } = h.env.client.options;
    passClient = new Client({ connection: h.env.connection, namespace, dataConverter });
  });
  afterAll(async () => {
    await h?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('acts on a suspension in day 3 of the register within day 3’s pass, and on nothing else over four days', async () => {
    // Day 0: the seed's doctor is verified through the whole KycWorkflow (the register actor says "Licensed").
    const doctor = await h.enrol(SEED_PERSON);
    await doctor.uploadBoth();
    await h.waitForStatus(doctor.userId, (s) => s.stage === 'DECIDED' && s.decision?.decision === 'PASS', 'a PASS');
    // A nurse verified before this service, monitored through the NMC actor; a dentist on a register with no source.
    const day1 = addDays(londonDate(await h.env.currentTimeMs()), 1);
    const nurse = await seedVerified('NMC', NURSE_PIN, {
      regType: 'NMC',
      regNo: NURSE_PIN,
      fullName: 'Ann Nurse',
      statusText: 'Registered',
      standing: 'REGISTERED',
      restrictions: [],
    });
    await seedVerified('GDC', '81234', {
      regType: 'GDC',
      regNo: '81234',
      fullName: 'Dee Entist',
      standing: 'REGISTERED',
    });
    await seedVerified('GPC', '2071234', {
      regType: 'GPC',
      regNo: '2071234',
      fullName: 'Fa Macist',
      standing: 'REGISTERED',
    });
    h.apify.setItems(ACTORS.NMC, (input) =>
      ((input as { registrationNumbers?: string[] }).registrationNumbers ?? []).includes(NURSE_PIN)
        ? [{ pin: NURSE_PIN, name: 'Ann Nurse', registrationStatus: 'Registered', renewalDate: addDays(day1, 20) }]
        : [],
    );

    // The GMC's downloads: day 1 as verified, day 2 a new address, day 3 suspended; day 4 publishes nothing new.
    await mkdir(join(dataDir, 'registers'), { recursive: true });
    const licensed = 'Registered with a licence to practise';
    await writeFile(datedPath(gmcFile, day1), gmcDownload({ status: licensed, address: 'Manchester' }));
    await writeFile(datedPath(gmcFile, addDays(day1, 1)), gmcDownload({ status: licensed, address: 'Bristol' }));
    await writeFile(datedPath(gmcFile, addDays(day1, 2)), gmcDownload({ status: 'Suspended', address: 'Bristol' }));

    const summaries: RegisterMonitorSummary[] = [];
    const decisionsByDay: string[][] = [];
    let suspendedPass: WorkflowHandle | undefined;
    for (let day = 1; day <= 4; day += 1) {
      await h.env.sleep('1 day');
      const { handle, summary } = await runPass();
      summaries.push(summary);
      if (day === 3) {
        suspendedPass = handle;
        // Within day 3's pass the KycWorkflow was told; it decides before the day is out (workflow time stands still).
        await h.waitForStatus(doctor.userId, (s) => s.decision?.decision === 'FAIL', 'the FAIL after the suspension');
      }
      const rows = await h.db.sql<{ decision: string }[]>`
        select decision from kyc_decisions where user_id = ${doctor.userId} order by id`;
      decisionsByDay.push(rows.map((row) => row.decision));
    }

    expect(summaries.map((s) => s.asOf)).toEqual([day1, addDays(day1, 1), addDays(day1, 2), addDays(day1, 3)]);
    expect(summaries.map((s) => s.changed)).toEqual([0, 0, 1, 0]);
    expect(decisionsByDay).toEqual([['PASS'], ['PASS'], ['PASS', 'FAIL'], ['PASS', 'FAIL']]);
    const day3 = summaries[2] as RegisterMonitorSummary;
    const gmc = day3.registers.find((sweep) => sweep.regType === 'GMC');
    expect(gmc).toMatchObject({
      source: { kind: 'DATA_FILE', health: 'OK', error: null },
      due: 1,
      checked: 1,
      changed: 1,
      failed: 0,
      changedWithoutWorkflow: 0,
      fileReads: 1,
      fileDiff: { added: 0, removed: 0, changed: 1 },
      done: true,
    });
    expect(summaries[1]?.registers.find((sweep) => sweep.regType === 'GMC')?.fileDiff).toEqual({
      added: 0,
      removed: 0,
      changed: 1,
    });

    // The re-decision: FAIL for the suspension, users.status, the product told, no review email.
    const status = await h.status(doctor.userId);
    expect(status).toMatchObject({
      stage: 'DECIDED',
      cycle: 2,
      decision: { decision: 'FAIL', reasons: ['REGISTER_SUSPENDED'], source: 'AUTOMATIC' },
      checks: { register: { status: 'CHECKED', standing: 'SUSPENDED', nameMatch: 'EXACT' } },
    });
    const [userRow] = await h.db.sql`select status from users where id = ${doctor.userId}`;
    expect(userRow).toEqual({ status: 'REJECTED' });
    const changedEvents = h.product.accepted
      .filter((delivery) => delivery.body.type === 'registration.changed')
      .map((delivery) => delivery.body);
    expect(changedEvents).toEqual([
      expect.objectContaining({
        userId: doctor.userId,
        decision: 'FAIL',
        reasons: ['REGISTER_SUSPENDED'],
        changes: ['SUSPENDED'],
        snapshotDate: addDays(day1, 2),
      }),
    ]);

    // The evidence: the doctor's fresh record stored every day, changed or not, with its snapshot date; once
    // REJECTED the doctor is no longer monitored (day 4 has no one due on the GMC).
    const evidence = await h.db.sql<{ snapshotDate: string; standing: string; changes: string[] }[]>`
      select to_char(snapshot_date, 'YYYY-MM-DD') as "snapshotDate", standing, register_changes as changes
      from reg_checks where user_id = ${doctor.userId} and cycle_id is null order by snapshot_date`;
    expect(evidence).toEqual([
      { snapshotDate: day1, standing: 'REGISTERED', changes: [] },
      { snapshotDate: addDays(day1, 1), standing: 'REGISTERED', changes: [] },
      { snapshotDate: addDays(day1, 2), standing: 'SUSPENDED', changes: ['SUSPENDED'] },
    ]);
    expect(summaries[3]?.registers.find((sweep) => sweep.regType === 'GMC')).toMatchObject({ due: 0, checked: 0 });

    // The NMC through one actor run a day over the list of numbers; its renewal reminded once, 20 days ahead.
    const nmc = day3.registers.find((sweep) => sweep.regType === 'NMC');
    expect(nmc).toMatchObject({ source: { kind: 'APIFY_ACTOR', health: 'OK' }, checked: 1, changed: 0, apifyRuns: 1 });
    const batchRuns = h.apify.runs.filter((run) => run.actorId === ACTORS.NMC);
    expect(batchRuns.map((run) => run.input)).toEqual(Array(4).fill({ registrationNumbers: [NURSE_PIN] }));
    expect(summaries.map((s) => s.registers.find((sweep) => sweep.regType === 'NMC')?.renewalReminders)).toEqual([
      1, 0, 0, 0,
    ]);
    const renewalMail = h.smtp.messages.filter((message) => message.subject?.includes('due for renewal'));
    expect(renewalMail.map((message) => message.to)).toEqual([
      [`${NURSE_PIN.toLowerCase()}@example.com`],
      ['cs@example.org'],
    ]);
    expect(nurse).toBeGreaterThan(0);

    // The GDC has no source and the GPhC's file is missing: every pass says so, and so do the search attributes.
    expect(summaries.every((s) => s.registersWithoutWorkingSource.join() === 'GDC,GPC')).toBe(true);
    expect(day3.registers.find((sweep) => sweep.regType === 'GPC')).toMatchObject({
      source: { kind: 'DATA_FILE', health: 'FAILING', error: `no GPC register file for ${addDays(day1, 2)}` },
      due: 1,
      failed: 1,
      checked: 0,
    });
    expect(day3.registers.find((sweep) => sweep.regType === 'GDC')).toMatchObject({
      source: { kind: 'NONE', health: 'NOT_CONFIGURED' },
      due: 1,
      failed: 1,
      checked: 0,
    });
    const described = await (suspendedPass as WorkflowHandle).describe();
    expect(described.typedSearchAttributes.get(KycRegisterSource)).toEqual(
      expect.arrayContaining([
        'GMC:DATA_FILE',
        'GMC:OK',
        'GDC:NONE',
        'GDC:NOT_CONFIGURED',
        'GPC:FAILING',
        'NO_WORKING_SOURCE',
      ]),
    );
    expect(described.typedSearchAttributes.get(KycRegisterCheckedAt)).toBeUndefined();
    const gmcSweep = await passClient.workflow.getHandle(`${described.workflowId}-GMC`).describe();
    expect(gmcSweep.typedSearchAttributes.get(KycRegisterCheckedAt)).toBeInstanceOf(Date);

    // One digest a day to CS and compliance; day 3's lists the change.
    const digests = h.smtp.messages.filter((message) => message.subject?.startsWith('KYC daily digest'));
    expect(digests.map((message) => message.subject)).toEqual([
      `KYC daily digest ${day1}: 0 registrations changed`,
      `KYC daily digest ${addDays(day1, 1)}: 0 registrations changed`,
      `KYC daily digest ${addDays(day1, 2)}: 1 registrations changed`,
      `KYC daily digest ${addDays(day1, 3)}: 0 registrations changed`,
    ]);
    expect(digests[2]?.to).toEqual(['cs@example.org', 'compliance@example.org']);
    expect(digests[2]?.raw).toContain(`user ${doctor.userId} (GMC)  SUSPENDED`);
    for (const pii of ['Jane', 'DOE', SEED_PERSON.regNo, 'Bristol']) expect(digests[2]?.raw).not.toContain(pii);

    // The doctor's run that decided again replays on this code, and is kept as a fixture when recording.
    const history = await h.env.client.workflow.getHandle(kycWorkflowId(doctor.userId)).fetchHistory();
    const replay = {
      workflowBundle: { codePath: inject('workflowBundlePath') },
      dataConverter: h.env.client.options.dataConverter,
    };
    await Worker.runReplayHistory(replay, history, kycWorkflowId(doctor.userId));
    await keepHistory(h.env.client, {
      name: 'kyc-register-suspended',
      path: 'automatic PASS, then FAIL on a suspension the register monitor found',
      workflowId: kycWorkflowId(doctor.userId),
    });
  });
  it('sends new conditions to review and emails CS; a suspension while CS has not decided closes the review as a FAIL', async () => {
    const colleague = await h.enrol(COLLEAGUE);
    await colleague.uploadBoth();
    await h.waitForStatus(colleague.userId, (s) => s.stage === 'DECIDED' && s.decision?.decision === 'PASS', 'a PASS');
    const today = londonDate(await h.env.currentTimeMs());
    const doctor = { status: 'Suspended', address: 'Bristol' };
    const licensed = 'Registered with a licence to practise';
    await writeFile(
      datedPath(gmcFile, addDays(today, 1)),
      gmcDownload(doctor, { status: licensed, conditions: 'Must not prescribe controlled drugs' }),
    );
    await writeFile(datedPath(gmcFile, addDays(today, 2)), gmcDownload(doctor, { status: 'Suspended' }));

    await h.env.sleep('1 day');
    const conditions = await runPass();
    expect(conditions.summary.changed).toBe(1);
    const review = await h.waitForStatus(colleague.userId, (s) => s.stage === 'AWAITING_REVIEW', 'the review');
    expect(review.decision).toMatchObject({ decision: 'MANUAL_REVIEW', reasons: ['REGISTER_RESTRICTIONS'] });
    await expect
      .poll(
        () =>
          h.smtp.messages.filter((m) => m.subject === `KYC case ${colleague.userId} needs review: the register changed`)
            .length,
      )
      .toBe(1);
    const [inReview] = await h.db.sql`select status from users where id = ${colleague.userId}`;
    expect(inReview).toEqual({ status: 'MANUAL_REVIEW' });

    // Users in review are re-checked too: the next day's suspension decides the case before CS does.
    await h.env.sleep('1 day');
    const suspended = await runPass();
    expect(suspended.summary.changed).toBe(1);
    const failed = await h.waitForStatus(colleague.userId, (s) => s.decision?.decision === 'FAIL', 'the FAIL');
    expect(failed).toMatchObject({ stage: 'DECIDED', cycle: 3, decision: { reasons: ['REGISTER_SUSPENDED'] } });
    const refused = h.env.client.workflow
      .getHandle(kycWorkflowId(colleague.userId))
      .executeUpdate(submitCsReviewUpdate, { args: [{ decision: 'PASS', reviewer: 'cs-late' }] });
    await expect(refused).rejects.toMatchObject({ cause: { message: 'no review is pending (stage DECIDED)' } });
    const decisions = await h.db.sql<{ decision: string; regCheck: boolean }[]>`
      select decision, reg_check_id is not null as "regCheck" from kyc_decisions
      where user_id = ${colleague.userId} order by id`;
    expect(decisions).toEqual([
      { decision: 'PASS', regCheck: false },
      { decision: 'MANUAL_REVIEW', regCheck: true },
      { decision: 'FAIL', regCheck: true },
    ]);
    const history = await h.env.client.workflow.getHandle(kycWorkflowId(colleague.userId)).fetchHistory();
    const replay = {
      workflowBundle: { codePath: inject('workflowBundlePath') },
      dataConverter: h.env.client.options.dataConverter,
    };
    await Worker.runReplayHistory(replay, history, kycWorkflowId(colleague.userId));
    await keepHistory(h.env.client, {
      name: 'kyc-register-conditions-then-suspended-in-review',
      path: 'PASS, MANUAL_REVIEW on new register conditions, then FAIL on a suspension while the review waits',
      workflowId: kycWorkflowId(colleague.userId),
    });
  });
});
