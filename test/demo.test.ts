/**
 * `npm start` and `npm run demo` end to end, as a user runs them: the service as a child process with nothing but
 * ports, a data folder and a database set — so it starts its own Temporal dev server and uses the local providers
 * (folder store, tesseract.js, human, register snapshots, outbox) — then the demo against it, then Ctrl-C.
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

  it('prints the API, Web UI and CS URLs', () => {
    expect(service.output()).toContain(`API         http://127.0.0.1:${ports.http}`);
    expect(service.output()).toContain(`Web UI      http://127.0.0.1:${ports.temporalUi}/namespaces/default/workflows`);
    expect(service.output()).toContain(`CS          http://127.0.0.1:${ports.http}/cs/cases`);
  });

  it('takes four synthetic cases to their expected decisions through the real local providers', async () => {
    const started = performance.now();
    const demo = run('scripts/demo.ts', ['--seed', '20261125', '--timeout', '240'], env);
    const code = await demo.exited;
    console.log(`demo: ${((performance.now() - started) / 1000).toFixed(1)} s wall time\n${demo.output()}`);
    expect(code).toBe(0);
    expect(demo.output()).toContain('all 4 cases as expected');
    expect(demo.output()).toMatch(new RegExp(`workflow http://127.0.0.1:${ports.temporalUi}/namespaces/default/`));

    const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    try {
      const decisions = await sql<{ regType: string; decision: string; source: string; reasons: string[] }[]>`
        select u.reg_type as "regType", d.decision, d.source, d.reasons
        from kyc_decisions d join users u on u.id = d.user_id order by d.id`;
      expect(decisions).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ regType: 'GMC', decision: 'PASS', source: 'AUTOMATIC' }),
          expect.objectContaining({ regType: 'NMC', decision: 'MANUAL_REVIEW', reasons: ['REGISTER_RESTRICTIONS'] }),
          expect.objectContaining({ regType: 'NMC', decision: 'PASS', source: 'CS' }),
          expect.objectContaining({ regType: 'GDC', decision: 'FAIL', reasons: ['DOCUMENT_EXPIRED'] }),
          expect.objectContaining({ regType: 'GPC', decision: 'FAIL', reasons: ['FACE_MISMATCH'] }),
        ]),
      );
    } finally {
      await sql.end();
    }
    // The local providers' own state: uploads in the folder store, register runs, the CS email in the outbox.
    expect(await readdir(join(dataDir, 'objects', 'kyc-raw', 'kyc-raw'))).toHaveLength(4);
    expect(await readdir(join(dataDir, 'register-runs'))).toHaveLength(4);
    expect((await readdir(join(dataDir, 'outbox'))).filter((file) => file.endsWith('.eml'))).toHaveLength(1);
    expect(existsSync(join(dataDir, 'temporal.sqlite'))).toBe(true);
  }, 300_000);

  it('stops everything it started on Ctrl-C', async () => {
    service.child.kill('SIGINT');
    expect(await service.exited).toBe(0);
    expect(await listening(ports.http)).toBe(false);
    expect(await listening(ports.temporal)).toBe(false);
    expect(await listening(ports.temporalUi)).toBe(false);
  }, 60_000);
});
