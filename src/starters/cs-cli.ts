/**
 * `npm run cs -- list [--status MANUAL_REVIEW] [--limit 50]`
 * `npm run cs -- review <userId> pass|fail --reviewer <id> [--note "…"]`
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfig } from '../config.ts';
import { listCases } from '../db/cases.ts';
import { createSql } from '../db/pool.ts';
import { IDEMPOTENCY_KEY_PATTERN, IDEMPOTENCY_KEY_RULE } from './idempotency-key.ts';
import { submitCsReview } from './kyc-client.ts';
import { connectKycClient } from './temporal-client.ts';

const USAGE = `usage:
  npm run cs -- list [--status MANUAL_REVIEW] [--limit 50]
  npm run cs -- review <userId> pass|fail --reviewer <id> [--note "…"] [--request-id <id>]
    --request-id: repeat it when running the same review again after a failure; the retry then gets the first answer`;

export class UsageError extends Error {
  override name = 'UsageError';
}

export type CsCommand =
  | { command: 'list'; status: 'PENDING' | 'MANUAL_REVIEW' | 'VERIFIED' | 'REJECTED' | 'EXPIRED'; limit: number }
  | {
      command: 'review';
      userId: number;
      decision: 'PASS' | 'FAIL';
      reviewer: string;
      note?: string;
      /** The same id on a retry makes it the same CS decision (see submitCsReview). */
      requestId?: string;
    };

const listSchema = z.object({
  status: z.enum(['PENDING', 'MANUAL_REVIEW', 'VERIFIED', 'REJECTED', 'EXPIRED']).default('MANUAL_REVIEW'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/** Parses the command line, or throws UsageError saying what is wrong. */
export function parseCsCommand(argv: string[]): CsCommand {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        status: { type: 'string' },
        limit: { type: 'string' },
        reviewer: { type: 'string' },
        note: { type: 'string' },
        'request-id': { type: 'string' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const [command, ...rest] = parsed.positionals;
  const { values } = parsed;
  if (command === 'list') {
    if (rest.length > 0) throw new UsageError(`list takes no arguments, got ${rest.join(' ')}`);
    const options = listSchema.safeParse({ status: values.status, limit: values.limit });
    if (!options.success)
      throw new UsageError(`--${String(options.error.issues[0]?.path[0])}: ${options.error.issues[0]?.message}`);
    return { command: 'list', ...options.data };
  }
  if (command === 'review') {
    const [userIdText, decisionText, ...extra] = rest;
    if (!userIdText || !/^[1-9]\d{0,15}$/.test(userIdText)) throw new UsageError('review needs a numeric <userId>');
    const decision = decisionText?.toUpperCase();
    if (decision !== 'PASS' && decision !== 'FAIL') throw new UsageError('review needs pass or fail after the user id');
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    const reviewer = typeof values.reviewer === 'string' ? values.reviewer.trim() : '';
    if (!reviewer) throw new UsageError('review needs --reviewer <id>');
    const requestId = values['request-id'];
    if (typeof requestId === 'string' && !IDEMPOTENCY_KEY_PATTERN.test(requestId)) {
      throw new UsageError(`--request-id must be ${IDEMPOTENCY_KEY_RULE}`);
    }
    return {
      command: 'review',
      userId: Number(userIdText),
      decision,
      reviewer,
      ...(typeof values.note === 'string' ? { note: values.note } : {}),
      ...(typeof requestId === 'string' ? { requestId } : {}),
    };
  }
  throw new UsageError(command ? `unknown command ${command}` : 'no command given');
}

async function main(): Promise<number> {
  let command: CsCommand;
  try {
    command = parseCsCommand(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n${USAGE}`);
    return 2;
  }
  const config = loadConfig();
  if (command.command === 'list') {
    const sql = createSql(config.DATABASE_URL, { max: 1 });
    try {
      const cases = await listCases(sql, { status: command.status, limit: command.limit });
      if (cases.length === 0) console.log(`no cases in ${command.status}`);
      for (const item of cases) {
        console.log(
          `user ${item.userId}  ${item.regType}  decided ${item.decidedAt?.toISOString() ?? '-'}  reasons: ${item.reasons.join(', ') || '-'}`,
        );
      }
      return 0;
    } finally {
      await sql.end();
    }
  }
  // --reviewer is a name typed at a terminal, not a signed-in person: only for npm start's own Temporal.
  if (config.production || !/^(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/.test(config.TEMPORAL_ADDRESS)) {
    console.error(
      'npm run cs -- review is for npm start on this machine; elsewhere decide through POST /cs/cases/:userId/decision, signed in',
    );
    return 2;
  }
  const kyc = await connectKycClient(config);
  try {
    const result = await submitCsReview(
      kyc,
      command.userId,
      {
        decision: command.decision,
        reviewer: command.reviewer,
        ...(command.note ? { note: command.note } : {}),
      },
      command.requestId ? { requestId: command.requestId } : {},
    );
    if (!result.accepted) {
      console.error(`refused: ${result.reason}`);
      return 1;
    }
    console.log(`accepted: user ${command.userId} is now ${command.decision} (decision ${result.decisionId})`);
    return 0;
  } finally {
    await kyc.close();
  }
}

if (import.meta.main) process.exitCode = await main();
