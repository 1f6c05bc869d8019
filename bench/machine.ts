/** The machine the figures come from, and where its CPU time went while they were taken (Linux /proc). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, platform, release, totalmem } from 'node:os';
import type { Sql } from '../src/db/pool.ts';
import { locateBinary } from '../src/runtime/binaries.ts';

export interface Machine {
  cores: number;
  cpu: string;
  memoryGiB: number;
  os: string;
  node: string;
  postgres: string;
  temporal: string;
}

/** `sql` null: a part that ran without PostgreSQL. */
export async function describeMachine(sql: Sql | null, embeddedPostgres: boolean): Promise<Machine> {
  const [server] = sql
    ? await sql<{ version: string }[]>`select current_setting('server_version') as version`
    : [{ version: 'not used' }];
  const cli = locateBinary('temporal', { install: false });
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    postgres: `${server?.version}${embeddedPostgres ? ' (embedded)' : ''}`,
    temporal: cli ? execFileSync(cli, ['--version'], { encoding: 'utf8' }).trim() : 'unknown',
  };
}

/** Linux reports process CPU time in clock ticks of 1/100 s on every platform Node supports. */
const TICKS_PER_SECOND = 100;

/** CPU seconds a process has used so far (user and system), or 0 once it is gone. */
function cpuSeconds(pid: number): number {
  try {
    // Fields after the command name, which may hold spaces: state is the 3rd field, utime the 14th, stime the 15th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** CPU seconds every process on the machine has used so far, and the machine's idle seconds. */
function machineSeconds(): { busy: number; idle: number } {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/) ?? [];
  // user nice system idle iowait irq softirq steal; guest time is already counted in user.
  const values = ticks.slice(0, 8).map(Number);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  const total = values.reduce((sum, value) => sum + value, 0);
  return { busy: (total - idle) / TICKS_PER_SECOND, idle: idle / TICKS_PER_SECOND };
}

/** Resident memory of a process, in bytes. */
export function residentBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

export type CpuShares = Record<string, number>;

/**
 * Starts measuring the cores each named group of processes uses; the returned function ends the measurement with
 * cores used per group, plus `other` (the rest of the machine: other tenants included) and `idle`.
 */
export function measureCpu(groups: Record<string, number[]>): () => CpuShares {
  const started = performance.now();
  const startMachine = machineSeconds();
  const startGroups = Object.fromEntries(
    Object.entries(groups).map(([name, pids]) => [name, pids.map(cpuSeconds)] as const),
  );
  return () => {
    const seconds = (performance.now() - started) / 1000;
    const machine = machineSeconds();
    const shares: CpuShares = {};
    let ours = 0;
    for (const [name, pids] of Object.entries(groups)) {
      const used = pids.reduce((total, pid, index) => total + cpuSeconds(pid) - (startGroups[name]?.[index] ?? 0), 0);
      shares[name] = used / seconds;
      ours += used;
    }
    shares.other = Math.max(0, machine.busy - startMachine.busy - ours) / seconds;
    shares.idle = (machine.idle - startMachine.idle) / seconds;
    return shares;
  };
}

/** The server processes serving `sql`'s database: one per pooled connection. */
export async function databaseBackends(sql: Sql): Promise<number[]> {
  const rows = await sql<{ pid: number }[]>`
    select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`;
  return rows.map((row) => row.pid);
}
