/**
 * `npm start` and `npm run demo` end to end, as a user runs them: the service as a child process with nothing but
 * ports, a data folder and a database set — so it starts its own Temporal dev server and uses the local providers
 * (folder store, tesseract.js, human, register snapshots, outbox) — then the demo against it twice, the CS command on
 * the case it leaves for a person, then Ctrl-C.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../src/runtime/ports.ts';
import { databaseUrlFor } from '../src/runtime/postgres-server.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function run(script: string, args: string[], env: NodeJS.ProcessEnv): Running {
  const child = spawn(process.execPath, [join(root, script), ...args], { cwd: root, env });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitFor(what: string, condition: () => boolean, running: Running, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (running.child.exitCode !== null) throw new Error(`exited before ${what}:\n${running.output()}`);
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms:\n${running.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface ReportedCase {
  userId: number;
  automatic: string;
  now: string;
}

/** The rows of the demo's closing table. */
function reportedCases(output: string): ReportedCase[] {
  const table = output.slice(output.indexOf("This run's cases"));
  return [...table.matchAll(/^\d\s+(\d+)\s+(\S+(?: \([A-Z_, ]+\))?)\s+(decided|waiting for review|no decision)/gm)].map(
    (match) => ({ userId: Number(match[1]), automatic: String(match[2]), now: String(match[3]) }),
  );
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('npm start and npm run demo', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let databaseUrl: string;
  let service: Running;
  let ports: { http: number; temporal: number; temporalUi: number };
  let firstRun: ReportedCase[] = [];

  async function query<T>(text: string): Promise<T[]> {
    const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    try {
      return (await sql.unsafe(text)) as unknown as T[];
    } finally {
      await sql.end();
    }
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kyc-demo-'));
    ports = { http: await freePort(), temporal: await freePort(), temporalUi: await freePort() };
    // Named after the run's template, so the run's teardown drops it with the others.
    databaseUrl = databaseUrlFor(inject('adminDatabaseUrl'), inject('templateDatabase').replace(/_template$/, '_demo'));
    const {
      TEMPORAL_ADDRESS: _temporalAddress,
      AWS_ACCESS_KEY_ID: _awsKeyId,
      AWS_PROFILE: _awsProfile,
      ...inherited
    } = process.env;
    env = {
      ...inherited,
      KYC_PROVIDERS: 'local',
      KYC_DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      KYC_HTTP_PORT: String(ports.http),
      KYC_LOCAL_TEMPORAL_PORT: String(ports.temporal),
      KYC_LOCAL_TEMPORAL_UI_PORT: String(ports.temporalUi),
      LOG_LEVEL: 'warn',
    };
    service = run('src/main.ts', [], env);
    await waitFor('service banner', () => service.output().includes('KYC service running'), service, 120_000);
  }, 150_000);

  afterAll(async () => {
    if (service?.child.exitCode === null) {
      service.child.kill('SIGKILL');
      await service.exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints the API, Web UI and CS URLs, and which database it uses', () => {
    expect(service.output()).toContain(`API         http://127.0.0.1:${ports.http}`);
    expect(service.output()).toContain(`Web UI      http://127.0.0.1:${ports.temporalUi}/namespaces/default/workflows`);
    expect(service.output()).toContain(`CS console  http://127.0.0.1:${ports.http}/console`);
    expect(service.output()).toContain(`PostgreSQL  ${databaseUrl}   (DATABASE_URL)`);
  });

  it('takes four synthetic cases to their expected decisions and leaves the review to a person', async () => {
    const demo = run('scripts/demo.ts', ['--seed', '20261125', '--timeout', '240'], env);
    const code = await demo.exited;
    const output = demo.output();
    expect(code, output).toBe(0);
    expect(output).toContain('all 4 cases as expected');
    expect(output).toMatch(new RegExp(`workflow http://127.0.0.1:${ports.temporalUi}/namespaces/default/`));
    firstRun = reportedCases(output);
    expect(firstRun.map((one) => one.automatic)).toEqual([
      'PASS',
      'MANUAL_REVIEW (REGISTER_RESTRICTIONS)',
      'FAIL (DOCUMENT_EXPIRED)',
      'FAIL (FACE_MISMATCH)',
    ]);
    expect(firstRun.map((one) => one.now)).toEqual(['decided', 'waiting for review', 'decided', 'decided']);
    const nurse = firstRun[1]?.userId;
    expect(output).toContain(`User ${nurse} (NMC nurse whose register entry shows conditions of practice) waits`);
    expect(output).toContain(`npm run cs -- review ${nurse} pass --reviewer <your name>`);
    // The CS console's case page is where the CS email's link leads too.
    expect(output).toContain(`in the CS console: http://127.0.0.1:${ports.http}/console/cases/${nurse}`);

    const decisions = await query<{
      userId: number;
      regType: string;
      decision: string;
      source: string;
      reasons: string[];
    }>(
      `select u.id::int as "userId", u.reg_type as "regType", d.decision, d.source, d.reasons
       from kyc_decisions d join users u on u.id = d.user_id order by d.id`,
    );
    expect(decisions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ regType: 'GMC', decision: 'PASS', source: 'AUTOMATIC' }),
        expect.objectContaining({ regType: 'NMC', decision: 'MANUAL_REVIEW', reasons: ['REGISTER_RESTRICTIONS'] }),
        expect.objectContaining({ regType: 'GDC', decision: 'FAIL', reasons: ['DOCUMENT_EXPIRED'] }),
        expect.objectContaining({ regType: 'GPC', decision: 'FAIL', reasons: ['FACE_MISMATCH'] }),
      ]),
    );
    expect(decisions.filter((one) => one.source === 'CS')).toEqual([]);
    // The local providers' own state: uploads in the folder store, register runs, the CS email in the outbox.
    expect(await readdir(join(dataDir, 'objects', 'kyc-raw', 'kyc-raw'))).toHaveLength(4);
    expect(await readdir(join(dataDir, 'register-runs'))).toHaveLength(4);
    expect((await readdir(join(dataDir, 'outbox'))).filter((file) => file.endsWith('.eml'))).toHaveLength(1);
    expect(existsSync(join(dataDir, 'temporal.sqlite'))).toBe(true);
  }, 300_000);

  it('run again with the same seed, registers new people and reports only its own cases', async () => {
    const demo = run('scripts/demo.ts', ['--seed', '20261125', '--timeout', '240'], env);
    const code = await demo.exited;
    const output = demo.output();
    expect(code, output).toBe(0);
    const firstIds = firstRun.map((one) => one.userId);
    expect(output).toContain(`seed 20261125's people are already registered here (users ${firstIds.join(', ')})`);
    const secondRun = reportedCases(output);
    expect(secondRun).toHaveLength(4);
    for (const { userId } of secondRun) expect(firstIds).not.toContain(userId);
    // Every user the run speaks of is one of its own.
    const spokenOf = new Set([...output.matchAll(/\buser (\d+)\b/g)].map((match) => Number(match[1])));
    expect([...spokenOf].filter((id) => !secondRun.some((one) => one.userId === id))).toEqual([]);
    expect(secondRun.map((one) => one.now)).toEqual(['decided', 'waiting for review', 'decided', 'decided']);
    // Both runs' nurses wait for a person: the second run decided nothing of the first's.
    const waiting = await query<{ id: number }>(
      `select id::int as id from users where status = 'MANUAL_REVIEW' order by id`,
    );
    expect(waiting.map((one) => one.id)).toEqual([firstRun[1]?.userId, secondRun[1]?.userId]);
  }, 300_000);

  it('lets CS decide the waiting case with npm run cs, which then shows the CS decision', async () => {
    const nurse = firstRun[1]?.userId as number;
    const cs = async (...args: string[]) => {
      const command = run('src/starters/cs-cli.ts', args, env);
      return { code: await command.exited, output: command.output() };
    };
    const listed = await cs('list');
    expect(listed.code, listed.output).toBe(0);
    expect(listed.output).toContain(`user ${nurse}  NMC  MANUAL_REVIEW, awaiting review  waiting since`);
    expect(listed.output).not.toMatch(/decided/);

    const reviewed = await cs('review', String(nurse), 'pass', '--reviewer', 'demo-test', '--note', 'conditions fit');
    expect(reviewed).toMatchObject({ code: 0, output: expect.stringContaining(`user ${nurse} is now PASS by CS`) });
    const passed = await cs('list', '--status', 'PASS');
    expect(passed.output).toMatch(
      new RegExp(
        `user ${nurse}  NMC  PASS by CS \\(demo-test\\)  decided .*reasons \\(automatic\\): REGISTER_RESTRICTIONS`,
      ),
    );
    const shown = await cs('show', String(nurse));
    expect(shown.output).toContain('decision   PASS by CS (demo-test)');
  }, 120_000);

  it('stops everything it started on Ctrl-C', async () => {
    service.child.kill('SIGINT');
    expect(await service.exited).toBe(0);
    expect(await listening(ports.http)).toBe(false);
    expect(await listening(ports.temporal)).toBe(false);
    expect(await listening(ports.temporalUi)).toBe(false);
  }, 60_000);
});
