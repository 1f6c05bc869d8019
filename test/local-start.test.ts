/**
 * The first ten minutes, without starting the whole service: the Node 24 launcher every npm script goes through,
 * `npm start` reporting every taken port at once, and `npm run reset` removing a data folder's state.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { localDatabaseName } from '../src/runtime/local-state.ts';
import { createDatabase, databaseUrlFor } from '../src/runtime/postgres-server.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

function run(
  executable: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): { exited: Promise<{ code: number | null; output: string }>; kill: (signal: NodeJS.Signals) => void } {
  const child = spawn(executable, args, { cwd: root, env });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return {
    exited: new Promise((resolve) => child.on('exit', (code) => resolve({ code, output }))),
    kill: (signal) => child.kill(signal),
  };
}

/** Debian's Node 20 here; none on a machine whose only node is 24. */
const olderNode = ['/usr/bin/node', '/usr/local/bin/node'].find((path) => {
  if (!existsSync(path)) return false;
  return Number(execFileSync(path, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' })) < 24;
});

describe('scripts/node24.mjs', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'kyc-node24-'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('on Node 24, runs the entry point with the running node', async () => {
    const { code, output } = await run(process.execPath, ['scripts/node24.mjs', '--bin-dir']).exited;
    expect(code).toBe(0);
    expect(output.trim()).toBe(dirname(process.execPath));
  });

  it.skipIf(!olderNode)('on an older node, runs the entry point on Node 24 from .tools', async () => {
    const script = join(scratch, 'version.ts');
    await writeFile(script, 'const major: string = process.versions.node.split(".")[0] ?? "";\nconsole.log(major);\n');
    const { code, output } = await run(olderNode as string, ['scripts/node24.mjs', script]).exited;
    expect(code, output).toBe(0);
    expect(output.trim().split('\n').at(-1)).toBe('24');
  });

  it("passes on the entry point's exit status", async () => {
    const script = join(scratch, 'exit.ts');
    await writeFile(script, 'process.exitCode = 3;\n');
    expect((await run(process.execPath, ['scripts/node24.mjs', script]).exited).code).toBe(3);
  });

  it('passes a signal on once, so the entry point can stop in order', async () => {
    const script = join(scratch, 'signals.ts');
    await writeFile(
      script,
      [
        'let received = 0;',
        "process.on('SIGTERM', () => { received += 1; setTimeout(() => { console.log('SIGTERM x' + received); process.exit(0); }, 300); });",
        "console.log('ready');",
        'setInterval(() => {}, 1000);',
      ].join('\n'),
    );
    const launched = spawn(process.execPath, ['scripts/node24.mjs', script], { cwd: root });
    let output = '';
    launched.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => launched.on('exit', (code) => resolve(code)));
    while (!output.includes('ready')) await new Promise((resolve) => setTimeout(resolve, 20));
    // One stop request arriving by two routes at once (the terminal, and npm passing it on).
    launched.kill('SIGTERM');
    launched.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('SIGTERM x1');
  });
});

describe('npm start, when ports are taken', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
  });

  async function occupiedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    const address = server.address();
    if (typeof address !== 'object' || !address) throw new Error('no port');
    return address.port;
  }

  it('names every taken port at once, with the variable that moves it', async () => {
    const [http, temporal, ui] = [await occupiedPort(), await occupiedPort(), await occupiedPort()];
    const dataDir = await mkdtemp(join(tmpdir(), 'kyc-ports-'));
    try {
      const { TEMPORAL_ADDRESS: _unset, ...inherited } = process.env;
      const { code, output } = await run(process.execPath, ['src/main.ts'], {
        ...inherited,
        KYC_DATA_DIR: dataDir,
        DATABASE_URL: databaseUrlFor(inject('adminDatabaseUrl'), 'unused'),
        KYC_HTTP_PORT: String(http),
        KYC_LOCAL_TEMPORAL_PORT: String(temporal),
        KYC_LOCAL_TEMPORAL_UI_PORT: String(ui),
      }).exited;
      expect(code).toBe(1);
      expect(output).toContain('Ports are taken:');
      expect(output).toContain(`${http}: the HTTP service cannot start there. Set KYC_HTTP_PORT.`);
      expect(output).toContain(
        `${temporal}: the local Temporal server cannot start there. Set KYC_LOCAL_TEMPORAL_PORT`,
      );
      expect(output).toContain(
        `${ui}: the local Temporal's Web UI cannot start there. Set KYC_LOCAL_TEMPORAL_UI_PORT.`,
      );
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('npm run reset', () => {
  const { DATABASE_URL: _unset, ...inherited } = process.env;

  async function dataFolderWithState(): Promise<{ dataDir: string; databaseUrl: string }> {
    const dataDir = await mkdtemp(join(tmpdir(), 'kyc-reset-'));
    const databaseUrl = await createDatabase(inject('adminDatabaseUrl'), localDatabaseName(dataDir));
    for (const folder of ['objects/kyc-raw', 'outbox', 'registers', 'register-runs']) {
      await mkdir(join(dataDir, folder), { recursive: true });
      await writeFile(join(dataDir, folder, 'something'), 'x');
    }
    await writeFile(join(dataDir, 'temporal.sqlite'), 'x');
    await writeFile(join(dataDir, 'database.json'), JSON.stringify({ databaseUrl, kind: 'server' }));
    return { dataDir, databaseUrl };
  }

  async function databaseExists(databaseUrl: string): Promise<boolean> {
    const sql = postgres(inject('adminDatabaseUrl'), { max: 1, onnotice: () => {} });
    try {
      const name = new URL(databaseUrl).pathname.slice(1);
      return (await sql`select 1 from pg_database where datname = ${name}`).length === 1;
    } finally {
      await sql.end();
    }
  }

  it("drops the data folder's database and removes its files, the folder included", async () => {
    const { dataDir, databaseUrl } = await dataFolderWithState();
    const { code, output } = await run(process.execPath, ['scripts/reset.ts'], {
      ...inherited,
      KYC_DATA_DIR: dataDir,
    }).exited;
    expect(code, output).toBe(0);
    expect(output).toContain(`database ${new URL(databaseUrl).pathname.slice(1)}`);
    expect(await databaseExists(databaseUrl)).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('refuses while the service runs on the folder, and keeps everything', async () => {
    const { dataDir, databaseUrl } = await dataFolderWithState();
    try {
      await writeFile(join(dataDir, 'service.pid'), `${process.pid}\n`);
      const { code, output } = await run(process.execPath, ['scripts/reset.ts'], {
        ...inherited,
        KYC_DATA_DIR: dataDir,
      }).exited;
      expect(code).toBe(1);
      expect(output).toContain(`The service is running on ${dataDir} (process ${process.pid})`);
      expect(await databaseExists(databaseUrl)).toBe(true);
      expect((await readdir(dataDir)).sort()).toContain('temporal.sqlite');
    } finally {
      await rm(join(dataDir, 'service.pid'));
      await run(process.execPath, ['scripts/reset.ts'], { ...inherited, KYC_DATA_DIR: dataDir }).exited;
    }
  });
});
