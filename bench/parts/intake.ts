/**
 * Part 4, intake: autocannon against `POST /users` and the document upload at a fixed concurrency, alternating. The
 * doors run here as in `npm run api`, with their own pool, against a task queue no worker serves, so that only the
 * intake's own work is measured; a client interceptor times every start and signal they send to Temporal.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, type WorkflowClientInterceptor } from '@temporalio/client';
import type autocannon from 'autocannon';
import { createSql } from '../../src/db/pool.ts';
import { createLogger } from '../../src/logger.ts';
import { freePort } from '../../src/runtime/ports.ts';
import { startDoors } from '../../src/starters/api.ts';
import { TOKEN } from '../../test/support/kyc-harness.ts';
import { testDataConverter } from '../../test/support/temporal.ts';
import { enrolUsers } from '../flows.ts';
import type { IntakeLoadOptions } from '../intake-load.ts';
import { countStatements } from '../postgres.ts';
import type { Rig } from '../rig.ts';
import { ms, percentile, perSecond } from '../stats.ts';
import type { PartResult, Row } from '../table.ts';

type Door = IntakeLoadOptions['door'];

const SETTINGS = { full: { rounds: 2, durationSeconds: 15 }, quick: { rounds: 1, durationSeconds: 3 } };
const CONNECTIONS = 10;

interface DoorRound {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
  /** Time in Temporal client calls over time the requests took, both summed over all requests. */
  temporalShare: number;
  temporalCallsPerRequest: number;
  statementsPerRequest: number;
}

export async function intakePart(rig: Rig, quick: boolean): Promise<PartResult> {
  const settings = quick ? SETTINGS.quick : SETTINGS.full;
  const { config } = rig.harness;
  const sql = createSql(rig.harness.db.url, { max: config.DATABASE_POOL_SIZE });
  const statements = countStatements(sql);
  const temporal = { ms: 0, calls: 0 };
  const client = new Client({
    connection: rig.env.connection,
    dataConverter: testDataConverter,
    interceptors: { workflow: [timed(temporal)] },
  });
  const doors = await startDoors({
    config: { ...config, KYC_HTTP_PORT: await freePort() },
    sql,
    kyc: { client, taskQueue: `intake-unserved-${randomUUID()}` },
    logger: createLogger({ level: 'silent' }),
  });
  try {
    const userIds = await enrolUsers(rig.harness.db.sql, 2_000);
    const rounds: Record<Door, DoorRound[]> = { users: [], documents: [] };
    let firstRegistrationNumber = 7_000_000;
    for (let round = 0; round < settings.rounds; round += 1) {
      for (const door of (round % 2 === 0 ? ['users', 'documents'] : ['documents', 'users']) as Door[]) {
        temporal.ms = 0;
        temporal.calls = 0;
        const statementsBefore = statements();
        const result = await load({
          url: doors.url,
          door,
          connections: CONNECTIONS,
          durationSeconds: settings.durationSeconds,
          token: TOKEN.intake,
          firstRegistrationNumber,
          userIds,
        });
        firstRegistrationNumber += 500_000;
        const answered = result['2xx'] + result.non2xx;
        rounds[door].push({
          requestsPerSecond: answered / result.duration,
          p50: result.latency.p50,
          p99: result.latency.p99,
          requests: answered,
          non2xx: result.non2xx,
          errors: result.errors,
          temporalShare: temporal.ms / (result.latency.mean * answered),
          temporalCallsPerRequest: temporal.calls / answered,
          statementsPerRequest: (statements() - statementsBefore) / answered,
        });
      }
    }
    return { part: 'intake', rows: rows(rounds), figures: { connections: CONNECTIONS, settings, rounds } };
  } finally {
    await doors.stop();
    await sql.end({ timeout: 5 });
  }
}

/** Adds the time of every workflow start and signal the client sends to `total`. */
function timed(total: { ms: number; calls: number }): WorkflowClientInterceptor {
  async function time<T>(call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await call();
    } finally {
      total.ms += performance.now() - started;
      total.calls += 1;
    }
  }
  return {
    startWithDetails: (input, next) => time(() => next(input)),
    signalWithStart: (input, next) => time(() => next(input)),
    signal: (input, next) => time(() => next(input)),
  };
}

function load(options: IntakeLoadOptions): Promise<autocannon.Result> {
  const child = fork(fileURLToPath(new URL('../intake-load.ts', import.meta.url)), {
    env: { ...process.env, BENCH_INTAKE_LOAD: JSON.stringify(options) },
  });
  return new Promise((resolve, reject) => {
    child.once('message', (result) => resolve(result as autocannon.Result));
    child.once('exit', (code) => reject(new Error(`the intake load exited with code ${code} before it answered`)));
  });
}

function rows(rounds: Record<Door, DoorRound[]>): Row[] {
  const median = (door: Door, figure: keyof DoorRound) =>
    percentile(
      rounds[door].map((round) => round[figure]),
      50,
    );
  const label: Record<Door, string> = {
    users: 'POST /users (insert the user, start the workflow)',
    documents: 'POST /users/:id/documents (passport and selfie: check, store, 2 rows, 2 signal-with-starts)',
  };
  return (['users', 'documents'] as const).flatMap((door) => {
    const failed = rounds[door].reduce((total, round) => total + round.non2xx + round.errors, 0);
    return [
      {
        figure: `${label[door]}, ${CONNECTIONS} connections: requests/s, p50, p99 (median of ${rounds[door].length})`,
        value: `${perSecond(median(door, 'requestsPerSecond'))}, ${ms(median(door, 'p50'))}, ${ms(median(door, 'p99'))}`,
      },
      {
        figure: `${door === 'users' ? 'POST /users' : 'upload'}: share of request time in Temporal calls (${median(door, 'temporalCallsPerRequest').toFixed(1)} per request); statements per request; failed requests`,
        value: `${(median(door, 'temporalShare') * 100).toFixed(0)} %; ${median(door, 'statementsPerRequest').toFixed(1)}; ${failed}`,
      },
    ];
  });
}
