/**
 * Part `monitor`: one daily register-monitor pass over N verified users (100,000 by default, 5,000 with --quick),
 * half of them doctors on the GMC monitored from a register data file, half nurses on the NMC monitored through an
 * actor run per 1,000 numbers (the Apify stand-in), 0.5 % of each changed since their decision (GMC: suspended; NMC:
 * conditions of practice). Users, decisions and the records behind them are written straight to PostgreSQL, as a
 * long-running deployment would have them; none has a KycWorkflow, so each change's signal is sent and fails, and
 * the cost of deciding again is taken from the recorded history of that path (test/fixtures/histories). Measured:
 * wall time and CPU of the pass, actor runs and file reads, Temporal Actions, the largest run's history, and
 * PostgreSQL statements and server time.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { type History, historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import proto from '@temporalio/proto';
import { stringify } from 'csv-stringify/sync';
import {
  REGISTER_MONITOR_WORKFLOW_ID_PREFIX,
  REGISTER_MONITOR_WORKFLOW_TYPE,
  type RegisterMonitorSummary,
} from '../../src/contract/monitor-workflow.ts';
import { createSql } from '../../src/db/pool.ts';
import { REG_TYPES } from '../../src/domain/registers.ts';
import type { RegisterMonitorWorkflow } from '../../src/workflows/monitor.ts';
import { HISTORIES_DIR, readManifest } from '../../test/support/history-fixtures.ts';
import { ACTORS } from '../../test/support/scenarios.ts';
import { billableActions } from '../history.ts';
import { measureCpu } from '../machine.ts';
import { activityBetween, databaseActivity, STATISTICS_DELAY_MS } from '../postgres.ts';
import type { Rig } from '../rig.ts';
import { count, ms, sleep, sum } from '../stats.ts';
import type { PartResult } from '../table.ts';

const { EventType } = proto.temporal.api.enums.v1;
const CHANGED_SHARE = 0.005;
const BATCH_SIZE = 1000;
/** Assumed Temporal Cloud price, US$ per million Actions (list price of the entry tiers; volume tiers cost less). */
const PRICE_PER_MILLION_ACTIONS = 50;
const DAYS_PER_MONTH = 30;

/** GMC numbers 1000000 +i; NMC PINs `<2 digits>A<4 digits>N`. */
const gmcNumber = (i: number) => String(1_000_000 + i);
const nmcPin = (i: number) =>
  `${String(Math.floor(i / 10_000)).padStart(2, '0')}A${String(i % 10_000).padStart(4, '0')}N`;

export async function monitorPart(rig: Rig, quick: boolean): Promise<PartResult> {
  const users = quick ? 5_000 : 100_000;
  const perRegister = users / 2;
  const changedPerRegister = Math.round(perRegister * CHANGED_SHARE);
  const sql = rig.harness.db.sql;
  const dataDir = join(rig.harness.config.KYC_DATA_DIR, 'monitor-bench');
  const gmcFile = join(dataDir, 'gmc.csv');

  process.stderr.write(`bench: monitor: writing ${count(users)} verified users…\n`);
  const seeded = performance.now();
  await seedPopulation(sql, 'GMC', perRegister, gmcNumber, 'Registered with a licence to practise');
  await seedPopulation(sql, 'NMC', perRegister, nmcPin, 'Registered');
  const seedMs = performance.now() - seeded;

  // The GMC's download: every doctor, the first 0.5 % suspended, and as many again who are not ours.
  await import('node:fs/promises').then(({ mkdir }) => mkdir(dataDir, { recursive: true }));
  const gmcRows = Array.from({ length: perRegister * 2 }, (_, i) => ({
    gmcReferenceNumber: gmcNumber(i),
    fullName: `Doctor ${i}`,
    registrationStatus: i < changedPerRegister ? 'Suspended' : 'Registered with a licence to practise',
    registeredAddress: `${i} High Street`,
  }));
  await writeFile(gmcFile, stringify(gmcRows, { header: true }));
  // The NMC actor: one item per PIN asked for, the first 0.5 % with conditions of practice.
  rig.harness.apify.setItems(ACTORS.NMC, (input) =>
    ((input as { registrationNumbers?: string[] }).registrationNumbers ?? []).map((pin) => {
      const i = Number(pin.slice(0, 2)) * 10_000 + Number(pin.slice(3, 7));
      return {
        pin,
        name: `Nurse ${i}`,
        registrationStatus: 'Registered',
        ...(i < changedPerRegister ? { practisingConditions: ['Must work under direct supervision'] } : {}),
      };
    }),
  );
  const runsBefore = rig.harness.apify.runs.length;

  const config = {
    ...rig.harness.config,
    KYC_REGISTER_DATA_FILES: { GMC: gmcFile },
    KYC_MONITOR_BATCH_SIZE: BATCH_SIZE,
    KYC_DATA_DIR: dataDir,
  };
  const worker = await rig.startWorker({ config });
  const statsSql = createSql(rig.harness.db.url, { max: 1 });
  try {
    const databaseBefore = await databaseActivity(statsSql);
    const statementsBefore = await worker.statements();
    const stopCpu = measureCpu({ worker: [worker.pid], temporal: [rig.devServer.process.pid as number] });
    const started = performance.now();
    const handle = await rig.env.client.workflow.start<typeof RegisterMonitorWorkflow>(REGISTER_MONITOR_WORKFLOW_TYPE, {
      taskQueue: worker.taskQueue,
      workflowId: `${REGISTER_MONITOR_WORKFLOW_ID_PREFIX}-bench-${Date.now()}`,
      args: [{ timeZone: 'Europe/London' }],
    });
    const summary: RegisterMonitorSummary = await handle.result();
    const wallMs = performance.now() - started;
    const cores = stopCpu();
    const statements = (await worker.statements()) - statementsBefore;
    await sleep(STATISTICS_DELAY_MS);
    const database = activityBetween(databaseBefore, await databaseActivity(statsSql));

    const runs = await passHistories(rig.env.client, handle.workflowId);
    const actions: Record<string, number> = {};
    for (const { history } of runs) {
      for (const [kind, value] of Object.entries(billableActions(history)))
        actions[kind] = (actions[kind] ?? 0) + value;
      const signals = (history.events ?? []).filter(
        (event) => event.eventType === EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
      ).length;
      if (signals > 0) actions['signal sent'] = (actions['signal sent'] ?? 0) + signals;
    }
    const passActions = sum(Object.values(actions));
    const largest = runs.reduce((most, run) =>
      (run.history.events?.length ?? 0) > (most.history.events?.length ?? 0) ? run : most,
    );
    const perChange = await actionsToDecideAgain();
    const dailyActions = passActions + summary.changed * perChange.actions;
    const scale = 100_000 / users;
    const monthlyActions = dailyActions * scale * DAYS_PER_MONTH;
    const apifyRuns = rig.harness.apify.runs.length - runsBefore;
    const fileReads = sum(summary.registers.map((sweep) => sweep.fileReads));
    const cpuSeconds = (group: string) => (cores[group] ?? 0) * (wallMs / 1000);
    const listed = (counts: Record<string, number>) =>
      Object.entries(counts)
        .map(([name, value]) => `${name} ${count(value)}`)
        .join(', ');

    return {
      part: 'monitor',
      rows: [
        {
          figure: `users re-checked in one pass (GMC from a data file, NMC by actor runs of ${BATCH_SIZE}), changed, failed`,
          value: `${count(summary.checked)} of ${count(users)}, ${count(summary.changed)} changed, ${count(summary.failed)} failed`,
        },
        { figure: 'wall time of the pass', value: `${(wallMs / 1000).toFixed(1)} s` },
        {
          figure: 'CPU during the pass: worker, Temporal server (and PostgreSQL server time, all statements)',
          value: `${cpuSeconds('worker').toFixed(1)} s, ${cpuSeconds('temporal').toFixed(1)} s (${ms(database.activeMs)})`,
        },
        { figure: 'Apify actor runs, register file reads', value: `${count(apifyRuns)}, ${count(fileReads)}` },
        { figure: `Temporal Actions of the pass: ${listed(actions)}`, value: count(passActions) },
        {
          figure: `Temporal Actions to decide again per changed user (recorded history ${perChange.fixture}: ${listed(perChange.byKind)})`,
          value: count(perChange.actions),
        },
        {
          figure: `Temporal Actions per day at ${count(users)} users, ${CHANGED_SHARE * 100} % changed (pass + deciding again)`,
          value: count(dailyActions),
        },
        {
          figure: `estimated Temporal Cloud cost per month at 100,000 workers (${count(monthlyActions)} Actions at $${PRICE_PER_MILLION_ACTIONS} per million)`,
          value: `$${((monthlyActions / 1_000_000) * PRICE_PER_MILLION_ACTIONS).toFixed(2)}`,
        },
        {
          figure: `history events of the largest run (${largest.workflowId}), runs in the pass`,
          value: `${count(largest.history.events?.length ?? 0)}, ${runs.length}`,
        },
        {
          figure: 'PostgreSQL statements from the worker, and per 1,000 users',
          value: `${count(statements)}, ${(statements / (users / 1000)).toFixed(1)}`,
        },
        { figure: 'writing the population (users, decisions, the records behind them)', value: ms(seedMs) },
      ],
      figures: {
        users,
        summary,
        wallMs,
        cores,
        statements,
        database,
        actions,
        perChange,
        dailyActions,
        monthlyActions,
      },
    };
  } finally {
    await statsSql.end({ timeout: 5 });
    await worker.stop();
  }
}

/** N users of one register, each VERIFIED with a PASS decision and the register record behind it, in SQL. */
async function seedPopulation(
  sql: Rig['harness']['db']['sql'],
  regType: 'GMC' | 'NMC',
  n: number,
  number: (i: number) => string,
  statusText: string,
): Promise<void> {
  const numbers = Array.from({ length: n }, (_, i) => number(i));
  const names = Array.from({ length: n }, (_, i) => `${regType === 'GMC' ? 'Doctor' : 'Nurse'} ${i}`);
  await sql`
    with fresh as (
      insert into users (email, reg_no, reg_type, status)
      select 'worker' || n || '@example.com', n, ${regType}::reg_type_enum, 'VERIFIED'
      from unnest(${numbers}::text[]) n
      returning id, reg_no
    ), cycles as (
      select f.id, f.reg_no, gen_random_uuid() as cycle_id, names.name
      from fresh f join unnest(${numbers}::text[], ${names}::text[]) as names(reg_no, name) using (reg_no)
    ), checks as (
      insert into reg_checks (user_id, cycle_id, snapshot_date, matched_name, matched_status, raw_response_json, standing)
      select id, cycle_id, current_date - 30, true, true,
             jsonb_build_object('record', jsonb_build_object('regType', ${regType}::text, 'regNo', reg_no,
               'fullName', name, 'statusText', ${statusText}::text, 'standing', 'REGISTERED', 'restrictions', '[]'::jsonb)),
             'REGISTERED'
      from cycles
    )
    insert into kyc_decisions (user_id, cycle_id, decision, decided_at, policy_version)
    select id, cycle_id, 'PASS', now() - interval '30 days', 'v1' from cycles`;
  await sql`analyze users, kyc_decisions, reg_checks`;
}

/** Every run of the pass: the parent, each register's sweep, and every run each sweep continued as new into. */
async function passHistories(client: Client, passId: string): Promise<Array<{ workflowId: string; history: History }>> {
  const runs: Array<{ workflowId: string; history: History }> = [];
  runs.push({ workflowId: passId, history: await client.workflow.getHandle(passId).fetchHistory() });
  for (const regType of REG_TYPES) {
    const workflowId = `${passId}-${regType}`;
    const first = runs[0]?.history.events?.find(
      (event) => event.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId === workflowId,
    );
    let runId = first?.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.runId ?? undefined;
    while (runId) {
      const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
      runs.push({ workflowId, history });
      runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
  }
  return runs;
}

/** The Actions a KycWorkflow spends deciding again, from the recorded history of that path: all after the signal. */
async function actionsToDecideAgain(): Promise<{ fixture: string; actions: number; byKind: Record<string, number> }> {
  // The latest recording: the manifest is append-only, so it is the last of its name.
  const fixture = (await readManifest()).fixtures.findLast((entry) =>
    entry.file.endsWith('-kyc-register-suspended.json'),
  );
  if (!fixture) throw new Error('no recorded history of the register-change path in test/fixtures/histories');
  const history = historyFromJSON(JSON.parse(await readFile(join(HISTORIES_DIR, fixture.file), 'utf8')));
  const events = history.events ?? [];
  const signalled = events.findIndex(
    (event) => event.workflowExecutionSignaledEventAttributes?.signalName === 'registerChanged',
  );
  const tail = { ...history, events: [events[0], ...events.slice(signalled)] } as History;
  const byKind = billableActions(tail);
  // The first event stands in for the run's start, which is not part of deciding again.
  delete byKind['workflow start'];
  // billableActions leaves out the signal at index 1 (a signal-with-start's); here it is the registerChanged signal.
  byKind.signal = (byKind.signal ?? 0) + 1;
  return { fixture: fixture.file, actions: sum(Object.values(byKind)), byKind };
}
