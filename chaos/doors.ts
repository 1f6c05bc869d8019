/**
 * The chaos run's callers of the service's doors, and the retry discipline every caller of them must follow:
 *
 * - a request that got no answer (connection refused or reset, no answer within its timeout) or a 5xx is sent again,
 *   unchanged, after 0.25 s, doubling to 5 s, for up to five minutes;
 * - a request that may create something carries what makes its retry harmless: POST /users its natural key (the
 *   same email and registration answer 200 with the same user), document uploads and CS decisions an
 *   Idempotency-Key, the same on every retry;
 * - any other 4xx is final.
 *
 * The CS command follows the same rule: a run that crashed or timed out is run again, with the same --request-id.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TOKEN } from '../test/support/scenarios.ts';
import { sleep } from './timing.ts';

const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5_000;
const RETRY_FOR_MS = 5 * 60_000;
const projectRoot = fileURLToPath(new URL('..', import.meta.url));

export interface RetryTally {
  /** No answer: connection refused or reset while a process was down or restarting. */
  connection: number;
  /** No answer within the request's timeout. */
  timeout: number;
  /** A 5xx answer, e.g. while PostgreSQL or Temporal restarted. */
  serverError: number;
  /** CS command runs that crashed or timed out. */
  command: number;
}

export interface DoorAnswer {
  status: number;
  body: Record<string, unknown> | null;
}

export function createDoorClient(baseUrl: string, retries: RetryTally) {
  async function request(
    path: string,
    init: {
      method?: string;
      role: keyof typeof TOKEN;
      json?: unknown;
      form?: FormData;
      headers?: Record<string, string>;
    },
    timeoutMs = 30_000,
  ): Promise<DoorAnswer> {
    const deadline = Date.now() + RETRY_FOR_MS;
    for (let attempt = 0; ; attempt += 1) {
      let outcome: DoorAnswer | 'connection' | 'timeout';
      try {
        const response = await fetch(`${baseUrl}${path}`, {
          method: init.method ?? 'GET',
          headers: {
            authorization: `Bearer ${TOKEN[init.role]}`,
            ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
            ...init.headers,
          },
          body: init.form ?? (init.json !== undefined ? JSON.stringify(init.json) : null),
          signal: AbortSignal.timeout(timeoutMs),
        });
        const text = await response.text();
        outcome = { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
      } catch (error) {
        outcome = (error as Error).name === 'TimeoutError' ? 'timeout' : 'connection';
      }
      if (typeof outcome === 'object' && outcome.status < 500) return outcome;
      if (Date.now() > deadline) {
        throw new Error(`${init.method ?? 'GET'} ${path}: still failing after ${attempt + 1} attempts (${outcome})`);
      }
      if (outcome === 'connection') retries.connection += 1;
      else if (outcome === 'timeout') retries.timeout += 1;
      else retries.serverError += 1;
      await sleep(Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** attempt));
    }
  }
  return { request };
}

export type CsCommandResult = { accepted: true } | { accepted: false; reason: string };

/** `npm run cs -- review <userId> pass|fail --reviewer <id>`, as a person at a terminal would run it. */
export async function runCsCommand(
  env: NodeJS.ProcessEnv,
  review: { userId: number; decision: 'PASS' | 'FAIL'; requestId: string },
  retries: RetryTally,
): Promise<CsCommandResult> {
  const deadline = Date.now() + RETRY_FOR_MS;
  const args = [
    ...['src/starters/cs-cli.ts', 'review', String(review.userId), review.decision.toLowerCase()],
    ...['--reviewer', 'chaos-cs', '--request-id', review.requestId],
  ];
  for (let attempt = 0; ; attempt += 1) {
    const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
      execFile(process.execPath, args, { cwd: projectRoot, env, timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, output: stdout + stderr }),
      );
    });
    if (result.code === 0) return { accepted: true };
    const refusal = /^refused: (.*)$/m.exec(result.output)?.[1];
    if (result.code === 1 && refusal) return { accepted: false, reason: refusal };
    if (Date.now() > deadline) throw new Error(`the CS command keeps failing: ${result.output.slice(-500)}`);
    retries.command += 1;
    await sleep(Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** attempt));
  }
}
