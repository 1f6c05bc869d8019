/**
 * The policy dry-run (README, Compliance): re-applies a candidate policy to the check outcomes stored with past
 * verification decisions, without OCR or scraping again, and says which decisions it would change. It reads in a
 * read-only transaction, so it cannot change anything even by mistake.
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { stringify } from 'csv-stringify';
import type { Sql } from '../db/pool.ts';
import { decide } from '../domain/decision.ts';
import type { CheckOutcomes, KycDecision } from '../domain/outcomes.ts';
import type { DecisionPolicy } from '../domain/policy.ts';
import type { ReasonCode } from '../domain/reasons.ts';

export interface DryRunWindow {
  /** Decisions taken at or after this instant; unset: from the first. */
  since?: Date;
  /** Decisions taken before this instant; unset: up to now. */
  until?: Date;
}

export interface Transition {
  from: KycDecision;
  to: KycDecision;
  count: number;
  /** Users whose decision this would change (empty on the diagonal, where nothing changes). */
  userIds: number[];
}

export interface DryRunReport {
  policyVersion: string;
  /** Decisions re-evaluated, and each old → new pair with its count. */
  evaluated: number;
  transitions: Transition[];
  /** Decisions taken without the policy: the documents never came (DOCUMENTS_NOT_RECEIVED), whatever the rules. */
  notPolicyDecisions: number;
  /** Decisions from before their outcomes were recorded (before policies were versioned): not re-evaluable. */
  withoutRecordedOutcomes: number;
}

interface StoredDecision {
  id: number;
  userId: number;
  cycleId: string;
  decidedAt: Date;
  policyVersion: string | null;
  decision: KycDecision;
  reasons: ReasonCode[];
  policyInput: CheckOutcomes | null;
}

const CURSOR_ROWS = 2_000;
/** Users listed per change on the terminal; the CSV has every one. */
const USERS_SHOWN = 50;
const DECISIONS = ['PASS', 'MANUAL_REVIEW', 'FAIL'] as const satisfies readonly KycDecision[];

/**
 * Re-evaluates every automatic verification decision in the window under `policy`: the decision each cycle got,
 * against the one the candidate would give. Decisions taken again after a register change (reg_check_id set) and
 * CS reviews are not re-evaluated: the first rests on what the register said that day, the second on a person.
 * Writes one CSV line per re-evaluated decision to `csvPath` when given.
 */
export async function dryRunPolicy(
  sql: Sql,
  policy: DecisionPolicy,
  window: DryRunWindow,
  csvPath?: string,
): Promise<DryRunReport> {
  const cells = new Map<string, Transition>(
    DECISIONS.flatMap((from) => DECISIONS.map((to) => [`${from}>${to}`, { from, to, count: 0, userIds: [] }])),
  );
  const csv = csvPath ? stringify({ header: true }) : null;
  const file = csvPath ? createWriteStream(csvPath) : null;
  if (csv && file) csv.pipe(file);
  let notPolicyDecisions = 0;
  let withoutRecordedOutcomes = 0;
  let evaluated = 0;

  await sql.begin('read only', async (tx) => {
    const rows = tx<StoredDecision[]>`
      select id, user_id as "userId", cycle_id as "cycleId", decided_at as "decidedAt",
             policy_version as "policyVersion", decision, reasons, policy_input as "policyInput"
      from kyc_decisions
      where source = 'AUTOMATIC' and reg_check_id is null
        and decided_at >= ${window.since ?? new Date(0)} and decided_at < ${window.until ?? new Date()}
      order by decided_at, id`.cursor(CURSOR_ROWS);
    for await (const batch of rows) {
      for (const row of batch) {
        if (!row.policyInput) {
          if (row.reasons.length === 1 && row.reasons[0] === 'DOCUMENTS_NOT_RECEIVED') notPolicyDecisions += 1;
          else withoutRecordedOutcomes += 1;
          continue;
        }
        evaluated += 1;
        const candidate = decide(row.policyInput, policy);
        const cell = cells.get(`${row.decision}>${candidate.decision}`) as Transition;
        cell.count += 1;
        if (row.decision !== candidate.decision) cell.userIds.push(row.userId);
        if (csv && !csv.write(csvLine(row, candidate))) await once(csv, 'drain');
      }
    }
  });
  if (csv && file) {
    csv.end();
    await once(file, 'finish');
  }
  const transitions = [...cells.values()]
    .filter((cell) => cell.count > 0)
    .map((cell) => ({ ...cell, userIds: [...new Set(cell.userIds)].sort((a, b) => a - b) }));
  return { policyVersion: policy.version, evaluated, transitions, notPolicyDecisions, withoutRecordedOutcomes };
}

function csvLine(row: StoredDecision, candidate: { decision: KycDecision; reasons: ReasonCode[] }) {
  return {
    decision_id: row.id,
    user_id: row.userId,
    cycle_id: row.cycleId,
    decided_at: row.decidedAt.toISOString(),
    policy_version: row.policyVersion ?? '',
    decision: row.decision,
    reasons: row.reasons.join(' '),
    candidate_decision: candidate.decision,
    candidate_reasons: candidate.reasons.join(' '),
    changed: row.decision === candidate.decision ? 'no' : 'yes',
  };
}

/** The report as a terminal shows it: the old → new matrix, then who each change affects. */
export function formatDryRun(report: DryRunReport, currentLabel = 'recorded'): string {
  const count = (from: KycDecision, to: KycDecision) =>
    report.transitions.find((cell) => cell.from === from && cell.to === to)?.count ?? 0;
  const width = 15;
  const lines = [
    `Policy ${report.policyVersion} against ${report.evaluated} past decision(s)`,
    '',
    `${`${currentLabel} \\ ${report.policyVersion}`.padEnd(width)}${DECISIONS.map((d) => d.padStart(width)).join('')}`,
    ...DECISIONS.map(
      (from) => `${from.padEnd(width)}${DECISIONS.map((to) => String(count(from, to)).padStart(width)).join('')}`,
    ),
    '',
  ];
  const changed = report.transitions.filter((cell) => cell.from !== cell.to);
  if (changed.length === 0) lines.push('No decision would change.');
  for (const cell of changed) {
    const shown = cell.userIds.slice(0, USERS_SHOWN).join(', ');
    const more =
      cell.userIds.length > USERS_SHOWN ? ` and ${cell.userIds.length - USERS_SHOWN} more (see the CSV)` : '';
    lines.push(`${cell.from} → ${cell.to}: ${cell.count} decision(s), users ${shown}${more}`);
  }
  if (report.notPolicyDecisions > 0) {
    lines.push(`${report.notPolicyDecisions} decision(s) for documents never received: no policy decides those.`);
  }
  if (report.withoutRecordedOutcomes > 0) {
    lines.push(
      `${report.withoutRecordedOutcomes} decision(s) from before outcomes were recorded with decisions: not re-evaluated.`,
    );
  }
  return lines.join('\n');
}
