/**
 * `npm run cs -- <command> …`: customer service's work from a terminal, in the words the rest of the service uses
 * (PASS, FAIL, MANUAL_REVIEW). `npm run cs -- --help`, or `--help` after any command, says how.
 */
import { parseArgs } from 'node:util';
import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { type Config, loadConfig } from '../config.ts';
import type { DecisionView, KycStatusView } from '../contract/kyc-workflow.ts';
import { type CaseSummary, listCases } from '../db/cases.ts';
import { createSql, type Sql } from '../db/pool.ts';
import type { UserStatus } from '../domain/outcomes.ts';
import { localCommandDatabaseUrl } from '../runtime/local-state.ts';
import { IDEMPOTENCY_KEY_PATTERN, IDEMPOTENCY_KEY_RULE } from './idempotency-key.ts';
import { getKycStatus, submitCsReview } from './kyc-client.ts';
import { connectKycClient } from './temporal-client.ts';

const HELP = {
  overview: `usage: npm run cs -- <command> [options]      (--help after a command for its options)

commands:
  list                    cases in one state, MANUAL_REVIEW (waiting for a person) unless --status says otherwise
  show <userId>           one case as its workflow sees it now: stage, what it waits for, checks, decisions
  review <userId> pass|fail --reviewer <id>
                          decide a case that waits for review; the automatic decision stays on record`,
  list: `usage: npm run cs -- list [--status MANUAL_REVIEW|PASS|FAIL|PENDING|EXPIRED] [--limit 50]

  --status   which cases, by the decision that stands now (a CS decision included):
               MANUAL_REVIEW  waiting for a person (the default)
               PASS, FAIL     decided, automatically or by CS
               PENDING        not decided yet (documents or checks outstanding)
               EXPIRED        their ID document has expired
  --limit    at most this many (1–500, default 50)`,
  show: `usage: npm run cs -- show <userId>

  Asks the user's workflow (kyc-user-<userId>) for its state: stage, what it waits for, the checks' outcomes, the
  decision that stands and the automatic one.`,
  review: `usage: npm run cs -- review <userId> pass|fail --reviewer <id> [--note "…"] [--request-id <id>]

  --reviewer    who decides (recorded with the decision)
  --note        why, for the record
  --request-id  repeat it when running the same review again after a failure; the retry then gets the first answer`,
};

export class UsageError extends Error {
  override name = 'UsageError';
}

/** The states CS speaks of, and the `users.status` each is stored as. */
const CASE_STATES = {
  MANUAL_REVIEW: 'MANUAL_REVIEW',
  PASS: 'VERIFIED',
  FAIL: 'REJECTED',
  PENDING: 'PENDING',
  EXPIRED: 'EXPIRED',
} as const satisfies Record<string, UserStatus>;
type CaseState = keyof typeof CASE_STATES;

export type CsCommand =
  | { command: 'help'; topic: keyof typeof HELP }
  | { command: 'list'; status: CaseState; limit: number }
  | { command: 'show'; userId: number }
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
  status: z
    .enum(Object.keys(CASE_STATES) as [CaseState, ...CaseState[]], {
      error: `must be one of ${Object.keys(CASE_STATES).join(', ')}`,
    })
    .default('MANUAL_REVIEW'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

function userIdOf(text: string | undefined): number {
  if (!text || !/^[1-9]\d{0,15}$/.test(text)) throw new UsageError('needs a numeric <userId>');
  return Number(text);
}

/** Parses the command line, or throws UsageError saying what is wrong. */
export function parseCsCommand(argv: string[]): CsCommand {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
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
  if (command === 'help') return { command: 'help', topic: helpTopic(rest[0]) };
  if (values.help) return { command: 'help', topic: helpTopic(command) };
  if (command === 'list') {
    if (rest.length > 0) throw new UsageError(`list takes no arguments, got ${rest.join(' ')}`);
    const options = listSchema.safeParse({ status: values.status?.toString().toUpperCase(), limit: values.limit });
    if (!options.success)
      throw new UsageError(`--${String(options.error.issues[0]?.path[0])}: ${options.error.issues[0]?.message}`);
    return { command: 'list', ...options.data };
  }
  if (command === 'show') {
    const [userIdText, ...extra] = rest;
    const userId = userIdOf(userIdText);
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    return { command: 'show', userId };
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

function helpTopic(command: string | undefined): keyof typeof HELP {
  return command === 'list' || command === 'show' || command === 'review' ? command : 'overview';
}

/** `PASS by CS (erin)`, `FAIL`, `MANUAL_REVIEW, awaiting review`. */
export function decisionText(
  decision: Pick<DecisionView, 'decision' | 'source'> & { reviewer?: string | null },
  awaitingReview: boolean,
): string {
  if (decision.source === 'CS') return `${decision.decision} by CS (${decision.reviewer ?? 'unknown'})`;
  return decision.decision === 'MANUAL_REVIEW' && awaitingReview ? 'MANUAL_REVIEW, awaiting review' : decision.decision;
}

const minute = (date: Date) => `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export function caseLine(item: CaseSummary): string {
  const awaiting = item.status === 'MANUAL_REVIEW';
  const decision = item.current ? decisionText(item.current, awaiting) : 'no decision yet';
  const when = item.current ? `${awaiting ? 'waiting since' : 'decided'} ${minute(item.current.decidedAt)}` : '';
  const overridden = item.current?.source === 'CS' ? ' (automatic)' : '';
  const reasons = item.reasons.length > 0 ? `reasons${overridden}: ${item.reasons.join(', ')}` : '';
  return [`user ${item.userId}`, item.regType, decision, when, reasons].filter(Boolean).join('  ');
}

export function statusLines(status: KycStatusView): string[] {
  const awaiting = status.stage === 'AWAITING_REVIEW';
  const { document, face, register } = status.checks;
  return [
    `user ${status.userId}, cycle ${status.cycle}: ${status.stage}${status.waitingFor.length > 0 ? `, waiting for ${status.waitingFor.join(', ')}` : ''}`,
    `  decision   ${status.decision ? decisionText(status.decision, awaiting) : 'none yet'}`,
    ...(status.automaticDecision && status.decision?.source === 'CS'
      ? [`  automatic  ${status.automaticDecision.decision}`]
      : []),
    ...(status.automaticDecision?.reasons.length
      ? [`  reasons    ${status.automaticDecision.reasons.join(', ')}`]
      : []),
    `  document   ${document ? (document.status === 'READ' ? `read${document.expired ? ', expired' : ''}` : `${document.status} (${document.cause})`) : '-'}`,
    `  face       ${face ? (face.status === 'COMPARED' ? `similarity ${face.similarity ?? 'none'}, liveness ${face.liveness}` : `ERROR (${face.cause})`) : '-'}`,
    `  register   ${register ? (register.status === 'CHECKED' ? `${register.standing}, name ${register.nameMatch}` : register.status) : '-'}`,
  ];
}

async function main(): Promise<number> {
  let command: CsCommand;
  try {
    command = parseCsCommand(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const topic = helpTopic(process.argv[2]);
    console.error(`${error.message}\n\n${HELP[topic]}`);
    return 2;
  }
  if (command.command === 'help') {
    console.log(HELP[command.topic]);
    return 0;
  }
  const config = loadConfig();
  // --reviewer is a name typed at a terminal, not a signed-in person: only for npm start's own Temporal.
  const local = !config.production && /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/.test(config.TEMPORAL_ADDRESS);
  if (command.command !== 'list' && !local) {
    console.error(
      'npm run cs -- review is for npm start on this machine; elsewhere decide through POST /cs/cases/:userId/decision, signed in',
    );
    return 2;
  }
  let databaseUrl: string;
  try {
    databaseUrl = localCommandDatabaseUrl(process.env, config);
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  }
  const sql = createSql(databaseUrl, { max: 1 });
  try {
    if (command.command === 'list') {
      const cases = await listCases(sql, { status: CASE_STATES[command.status], limit: command.limit });
      console.log(
        `${cases.length === 0 ? 'no' : cases.length} case${cases.length === 1 ? '' : 's'} in ${command.status}`,
      );
      for (const item of cases) console.log(caseLine(item));
      return 0;
    }
    return await askWorkflow(command, config, sql);
  } finally {
    await sql.end();
  }
}

/** `show` and `review`: through the user's workflow, whose payloads are under their data key, kept in `sql`. */
async function askWorkflow(
  command: Extract<CsCommand, { command: 'show' | 'review' }>,
  config: Config,
  sql: Sql,
): Promise<number> {
  const kyc = await connectKycClient(config, undefined, sql);
  try {
    if (command.command === 'show') {
      for (const line of statusLines(await getKycStatus(kyc, command.userId))) console.log(line);
      return 0;
    }
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
    console.log(`accepted: user ${command.userId} is now ${command.decision} by CS (decision ${result.decisionId})`);
    return 0;
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    console.error(
      `No workflow for user ${command.userId} on ${config.TEMPORAL_ADDRESS} (namespace ${config.TEMPORAL_NAMESPACE}).`,
    );
    return 1;
  } finally {
    await kyc.close();
  }
}

if (import.meta.main) process.exitCode = await main();
